/** The twin's EventBridge pattern matching, and the one rule it runs (statemachines/landing-event.ts, as infra/ deploys it). */
import { matchesPattern } from '../../../local/events/event-pattern';
import { landingEventPattern, reconcileInputOf, type S3ObjectCreatedEvent } from '../../../statemachines/landing-event';

const event = (bucket: string, key: string): S3ObjectCreatedEvent => ({
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '111122223333',
  time: '2021-11-12T00:00:00Z',
  region: 'ca-central-1',
  resources: [`arn:aws:s3:::${bucket}`],
  detail: { version: '0', bucket: { name: bucket }, object: { key, size: 5, etag: 'b1946ac9' }, reason: 'PutObject' },
});

describe('matchesPattern', () => {
  it('exact values, prefix, suffix and wildcard, each field an array of alternatives', () => {
    const e = { source: 'aws.s3', detail: { object: { key: 'calls/2026/a_b_c.wav' } } };
    expect(matchesPattern({ source: ['aws.s3'] }, e)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2', 'aws.s3'] }, e)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'] }, e)).toBe(false);
    expect(matchesPattern({ detail: { object: { key: [{ prefix: 'calls/' }] } } }, e)).toBe(true);
    expect(matchesPattern({ detail: { object: { key: [{ prefix: 'other/' }] } } }, e)).toBe(false);
    expect(matchesPattern({ detail: { object: { key: [{ suffix: '.wav' }] } } }, e)).toBe(true);
    expect(matchesPattern({ detail: { object: { key: [{ suffix: '.json' }] } } }, e)).toBe(false);
    expect(matchesPattern({ detail: { object: { key: [{ wildcard: 'calls/*.wav' }] } } }, e)).toBe(true);
    expect(matchesPattern({ detail: { object: { key: [{ wildcard: 'calls/*.json' }] } } }, e)).toBe(false);
    // a field the event lacks does not match
    expect(matchesPattern({ detail: { reason: ['PutObject'] } }, e)).toBe(false);
  });

  it('a literal star in a wildcard is \\*, and regex characters are plain', () => {
    expect(matchesPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' })).toBe(true);
    expect(matchesPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' })).toBe(false);
    expect(matchesPattern({ k: [{ wildcard: 'a.b*' }] }, { k: 'axb1' })).toBe(false);
  });

  it('refuses an operator it does not implement, naming it, instead of matching nothing', () => {
    expect(() => matchesPattern({ k: [{ 'anything-but': 'x' } as never] }, { k: 'y' })).toThrow(/anything-but/);
    expect(() => matchesPattern({ k: 'x' as never }, { k: 'x' })).toThrow(/field "k" must be an array/);
  });
});

describe('the recording-landed rule', () => {
  it('matches recordings under the prefix, never the workflow’s own manifests, another prefix or another bucket', () => {
    const p = landingEventPattern('rec-bucket', 'calls/support/');
    expect(matchesPattern(p, event('rec-bucket', 'calls/support/2026/01/01/t_tx_call.wav'))).toBe(true);
    expect(matchesPattern(p, event('rec-bucket', 'calls/support/2026/01/01/t_tx_call.manifest.json'))).toBe(false);
    expect(matchesPattern(p, event('rec-bucket', 'other/2026/01/01/t_tx_call.wav'))).toBe(false);
    expect(matchesPattern(p, event('other-bucket', 'calls/support/x.wav'))).toBe(false);
    expect(matchesPattern(p, { ...event('rec-bucket', 'calls/support/x.wav'), 'detail-type': 'Object Deleted' })).toBe(false);
    // without a prefix (the twin): any .wav of the bucket
    expect(matchesPattern(landingEventPattern('rec-bucket'), event('rec-bucket', 'a/b.wav'))).toBe(true);
  });

  it('the target input keeps the detail, time and event id, and nothing else', () => {
    const e = event('rec-bucket', 'k.wav');
    expect(reconcileInputOf(e)).toEqual({ landed: { detail: e.detail, time: e.time, eventId: e.id } });
  });
});
