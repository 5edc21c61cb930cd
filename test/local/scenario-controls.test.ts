/** The scenario format's `controls` and `optOutDigit` (local/scenario/scenario-file.ts): parsed, and refused naming the field. */
import { DEFAULT_REQUESTED_BY, parseScenario } from '../../local/scenario/scenario-file';

const one = (extra: Record<string, unknown>) => parseScenario({ calls: [{ name: 'c', durationSeconds: 60, ...extra }] })[0]!;

describe('scenario controls and optOutDigit', () => {
  it('parses controls in order, requestedBy defaulting to "scenario", and the opt-out key', () => {
    const call = one({
      controls: [
        { atSeconds: 20, action: 'pause', requestedBy: 'agent-7' },
        { atSeconds: 35, action: 'resume' },
        { atSeconds: 50.5, action: 'stop' },
      ],
      optOutDigit: '9',
    });
    expect(call.controls).toEqual([
      { atSeconds: 20, action: 'pause', requestedBy: 'agent-7' },
      { atSeconds: 35, action: 'resume', requestedBy: DEFAULT_REQUESTED_BY },
      { atSeconds: 50.5, action: 'stop', requestedBy: 'scenario' },
    ]);
    expect(call.optOutDigit).toBe('9');
    expect(one({ optOutDigit: '*' }).optOutDigit).toBe('*');
  });

  it('leaves both out when absent', () => {
    const call = one({});
    expect(call).not.toHaveProperty('controls');
    expect(call).not.toHaveProperty('optOutDigit');
  });

  it.each([
    [{ controls: {} }, /^calls\[0\]\.controls: must be an array of at most 50 controls/],
    [
      { controls: Array.from({ length: 51 }, () => ({ atSeconds: 1, action: 'pause' })) },
      /^calls\[0\]\.controls: must be an array of at most 50/,
    ],
    [{ controls: [1] }, /^calls\[0\]\.controls\[0\]: must be an object/],
    [{ controls: [{ atSeconds: 1, action: 'pause', when: 2 }] }, /^calls\[0\]\.controls\[0\]\.when: unknown field/],
    [{ controls: [{ action: 'pause' }] }, /^calls\[0\]\.controls\[0\]\.atSeconds: must be a number in \[0, 60\]/],
    [{ controls: [{ atSeconds: 61, action: 'pause' }] }, /^calls\[0\]\.controls\[0\]\.atSeconds: .*within the call's durationSeconds/],
    [
      { controls: [{ atSeconds: 5, action: 'PAUSE' }] },
      /^calls\[0\]\.controls\[0\]\.action: must be one of pause, resume, stop, got "PAUSE"/,
    ],
    [{ controls: [{ atSeconds: 5, action: 'pause', requestedBy: 'agent 7' }] }, /^calls\[0\]\.controls\[0\]\.requestedBy: must be 1-128/],
    [{ controls: [{ atSeconds: 5, action: 'pause', requestedBy: '' }] }, /^calls\[0\]\.controls\[0\]\.requestedBy/],
    [{ optOutDigit: '#' }, /^calls\[0\]\.optOutDigit: must be one key, 0-9 or \*, got "#"/],
    [{ optOutDigit: '12' }, /^calls\[0\]\.optOutDigit: must be one key/],
    [{ optOutDigit: 9 }, /^calls\[0\]\.optOutDigit: must be one key, 0-9 or \*, got 9/],
  ])('refuses %j naming the field', (extra, message) => {
    expect(() => one(extra)).toThrow(message);
  });
});

describe('scenario `to`: the number the caller dials', () => {
  it('is kept as given, and absent by default', () => {
    expect(one({ to: '+15550100777' }).to).toBe('+15550100777');
    expect(one({})).not.toHaveProperty('to');
  });

  it.each([
    [{ to: '15550100777' }, /^calls\[0\]\.to: must be an E\.164 number like "\+15550100200", got "15550100777"/],
    [{ to: '+0555' }, /^calls\[0\]\.to: must be an E\.164 number/],
    [{ to: '+1555010077712345' }, /^calls\[0\]\.to: must be an E\.164 number/],
    [{ to: 15550100777 }, /^calls\[0\]\.to: must be an E\.164 number/],
    [{ to: '+15550100777', app: 'ivr' }, /^calls\[0\]\.to: not with "app" \(the app ivr has its own number\)/],
  ])('refuses %j', (extra, message) => {
    expect(() => one(extra)).toThrow(message);
  });
});
