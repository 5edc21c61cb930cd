/** The CLI's pure helpers: CSV quoting, token redaction, phone masking, time options, ARN resolution. */
import { csv, csvField, maskPhones, offset, redactTokens, REDACTED, scrub } from '../../cli/format';
import { parseTime } from '../../cli/time-option';
import { executionArnFor } from '../../cli/execution-ref';
import { summarize, outcomeKey } from '../../cli/execution-summary';
import { timeline } from '../../cli/commands/history';

const TOKEN = 'A'.repeat(150) + '_-' + 'b'.repeat(148);

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
    [null, ''],
    [3, '3'],
    ['-12.5', '-12.5'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('%p -> %p', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('joins rows with CRLF (RFC 4180)', () => {
    expect(csv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});

describe('redaction and masking', () => {
  it('redacts a task token in a JSON string, also when the JSON is embedded in another string', () => {
    const params = JSON.stringify({ SipMediaApplicationId: 's', Arguments: { command: 'StartRecording', taskToken: TOKEN } });
    expect(redactTokens(params)).not.toContain(TOKEN);
    expect(JSON.parse(redactTokens(params)).Arguments.taskToken).toBe(REDACTED);
    const nested = JSON.stringify({ parameters: params });
    const out = redactTokens(nested);
    expect(out).not.toContain(TOKEN);
    expect(JSON.parse(JSON.parse(out).parameters).Arguments.taskToken).toBe(REDACTED);
  });

  it('scrub redacts taskToken members and masks E.164 numbers, leaving dates and ids alone', () => {
    const out = scrub({
      taskToken: TOKEN,
      note: 'from +15550201234 at 2025-11-25T13:00:00.000Z',
      id: '4ec1de1c-3b85-45ac-96a9-55df855c0af1',
    });
    expect(out.taskToken).toBe(REDACTED);
    expect(out.note).toBe('from +1********34 at 2025-11-25T13:00:00.000Z');
    expect(out.id).toBe('4ec1de1c-3b85-45ac-96a9-55df855c0af1');
    expect(maskPhones('+442079460000')).toBe('+4*********00');
  });
});

describe('parseTime', () => {
  const now = Date.parse('2025-11-25T12:00:00Z');
  it.each([
    ['24h', '2025-11-24T12:00:00.000Z'],
    ['90m', '2025-11-25T10:30:00.000Z'],
    ['7d', '2025-11-18T12:00:00.000Z'],
    ['2025-11-20', '2025-11-20T00:00:00.000Z'],
    ['2025-11-20T08:15:00Z', '2025-11-20T08:15:00.000Z'],
    ['now', '2025-11-25T12:00:00.000Z'],
  ])('%s', (value, expected) => {
    expect(parseTime(value, now).toISOString()).toBe(expected);
  });
  it.each(['yesterday', '1', 'March 7', '2025-13-45', '10x'])('refuses %p', (value) => {
    expect(() => parseTime(value, now)).toThrow(/ISO 8601/);
  });
});

describe('execution ARNs and summaries', () => {
  it('derives the execution ARN from the state machine ARN and the transaction id', () => {
    expect(executionArnFor('arn:aws:states:eu-west-1:111122223333:stateMachine:rec:prod', 'tx:1.2')).toBe(
      'arn:aws:states:eu-west-1:111122223333:execution:rec:tx-1-2',
    );
  });

  it('reads the summary from a Fail state Cause, and plain-text INVALID_INPUT causes', () => {
    const cause = JSON.stringify({
      outcome: 'START_FAILED',
      startAttempts: [{ attempt: 1, result: 'FAILED', error: 'NoAccessToDestination' }],
      consentNotice: { status: 'NOT_ATTEMPTED' },
      recordingKey: null,
      manifestKey: 'm.json',
    });
    const s = summarize({
      executionArn: 'arn',
      name: 'n',
      status: 'FAILED',
      error: 'START_FAILED',
      cause,
      input: '{"transactionId":"t","callId":"c"}',
    });
    expect(s).toMatchObject({
      outcome: 'START_FAILED',
      detailsFrom: 'summary',
      manifestKey: 'm.json',
      transactionId: 't',
      cause: undefined,
    });
    expect(s.startAttempts[0].error).toBe('NoAccessToDestination');
    const invalid = summarize({
      executionArn: 'arn',
      name: 'n',
      status: 'FAILED',
      error: 'INVALID_INPUT',
      cause: 'track: must be one of BOTH, INCOMING, OUTGOING',
      input: '{}',
    });
    expect(invalid).toMatchObject({ outcome: 'INVALID_INPUT', cause: 'track: must be one of BOTH, INCOMING, OUTGOING' });
    expect(outcomeKey(summarize({ executionArn: 'a', name: 'n', status: 'ABORTED', input: '{}' }))).toBe('ABORTED');
  });

  it('timeline: states for every event, retries of a state, offsets', () => {
    const t0 = Date.parse('2025-11-25T12:00:00Z');
    const ev = (id: number, ms: number, type: string, extra: Record<string, unknown> = {}) => ({
      id,
      previousEventId: id - 1,
      timestamp: new Date(t0 + ms),
      type,
      ...extra,
    });
    const rows = timeline([
      ev(1, 0, 'ExecutionStarted'),
      ev(2, 10, 'TaskStateEntered', { stateEnteredEventDetails: { name: 'NotifyConsent' } }),
      ev(3, 20, 'TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType: 'aws-sdk:chimesdkvoice',
          resource: 'updateSipMediaApplicationCall.waitForTaskToken',
          parameters: JSON.stringify({ Arguments: { command: 'NotifyConsent', taskToken: TOKEN } }),
        },
      }),
      ev(4, 30, 'TaskFailed', { taskFailedEventDetails: { error: 'SystemException', cause: 'speak\nfailed' } }),
      ev(5, 1500, 'TaskScheduled', { taskScheduledEventDetails: { resourceType: 'aws-sdk:chimesdkvoice', resource: 'x' } }),
      ev(6, 61500, 'TaskStateExited', { stateExitedEventDetails: { name: 'NotifyConsent' } }),
    ] as never);
    expect(rows.map((r) => r.state)).toEqual([
      undefined,
      'NotifyConsent',
      'NotifyConsent',
      'NotifyConsent',
      'NotifyConsent',
      'NotifyConsent',
    ]);
    expect(rows[2].detail).toContain('command NotifyConsent');
    expect(rows[2].detail).not.toContain(TOKEN);
    expect(rows[3].detail).toBe('SystemException: speak failed');
    expect(rows[4].detail).toContain('retry 1');
    expect(offset(rows[5].offsetMs)).toBe('+1m01.500s');
  });
});
