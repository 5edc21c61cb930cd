/** RECORDING_DTMF_CONTROLS: the setting, the ReceiveDigits armed at WaitForCallEnd, and keys handed to the workflow. */
import { dtmfControlsOf } from '../../lambdas/recording/config';
import { TokenAttribute } from '../../lambdas/shared/workflow-contract';
import { IDS, callUpdate, fixture, harness, makeToken, withAttributes } from './helpers';

const ENV = { RECORDING_DTMF_CONTROLS: 'pause=5,resume=6,stop=7' };
const callEnd = makeToken('call-end');
const RECORDING = { 'rw:recordings': JSON.stringify({ [IDS.legA]: 'bucket/key.wav' }) };

function digits(keys: string, attributes: Record<string, string>, regex = '^[567]$') {
  const e = withAttributes(fixture('DIGITS_RECEIVED'), attributes);
  e.ActionData = {
    Type: 'ReceiveDigits',
    ReceivedDigits: keys,
    Parameters: {
      CallId: IDS.legA,
      InputDigitsRegex: regex,
      InBetweenDigitsDurationInMilliseconds: 1000,
      FlushDigitsDurationInMilliseconds: 3000,
    },
  };
  return e;
}

describe('the setting', () => {
  it('reads keys per action into one ReceiveDigits pattern', () => {
    expect(dtmfControlsOf('pause=5, resume=6 ,stop=*', [])).toEqual({
      regex: '^[56*]$',
      keys: { '5': 'PAUSE', '6': 'RESUME', '*': 'STOP' },
    });
    expect(dtmfControlsOf(undefined, [])).toBe(false);
    expect(dtmfControlsOf('off', [])).toBe(false);
  });

  it.each([['pause=5,resume=5'], ['pause=55'], ['rewind=5'], ['pause=5,pause=6'], ['pause']])(
    '%p is reported once, naming the variable, and turns them off',
    (raw) => {
      const problems: string[] = [];
      expect(dtmfControlsOf(raw, problems)).toBe(false);
      expect(problems).toEqual([expect.stringMatching(/^RECORDING_DTMF_CONTROLS: must be like/)]);
    },
  );
});

describe('armed while the workflow waits', () => {
  it('WaitForCallEnd answers with a ReceiveDigits per connected leg (none without the setting)', async () => {
    const on = await harness(ENV).invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: RECORDING }));
    expect(on.Actions).toEqual([
      {
        Type: 'ReceiveDigits',
        Parameters: {
          CallId: IDS.legA,
          InputDigitsRegex: '^[567]$',
          InBetweenDigitsDurationInMilliseconds: 1000,
          FlushDigitsDurationInMilliseconds: 3000,
        },
      },
    ]);
    const off = await harness().invoke(callUpdate({ command: 'WaitForCallEnd', taskToken: callEnd }, { attributes: RECORDING }));
    expect(off.Actions).toBeNull();
  });

  it('its ACTION_SUCCESSFUL is the middleware’s: no action, nothing sent to Step Functions', async () => {
    const h = harness(ENV);
    const e = digits('', { ...RECORDING, [TokenAttribute.WaitForCallEnd]: callEnd });
    e.InvocationEventType = 'ACTION_SUCCESSFUL';
    const r = await h.invoke(e);
    expect(r.Actions).toBeNull();
    expect(h.successCalls()).toEqual([]);
  });
});

describe('keys', () => {
  it('a control key goes to the waiting workflow as a control via dtmf, from the leg that pressed it', async () => {
    const h = harness(ENV);
    await h.invoke(digits('5', { ...RECORDING, [TokenAttribute.WaitForCallEnd]: callEnd }));
    expect(h.successCalls().map((c) => JSON.parse(c.output!))).toEqual([
      { control: { action: 'PAUSE', requestedBy: 'keypad', requestId: 'keypad:5', via: 'dtmf' } },
    ]);
  });

  it('keys that are not a control (a flush can send them) are ignored', async () => {
    const h = harness(ENV);
    await h.invoke(digits('58', { ...RECORDING, [TokenAttribute.WaitForCallEnd]: callEnd }));
    expect(h.successCalls()).toEqual([]);
  });

  it('keys the application’s digit collection just took are the application’s', async () => {
    const h = harness(ENV);
    const r = await h.invoke(digits('5', { ...RECORDING, [TokenAttribute.WaitForCallEnd]: callEnd, 'rw:own': JSON.stringify({ g: '5' }) }));
    expect(h.successCalls()).toEqual([]);
    expect(h.metricNames()).toContain('KeypadKeysForApplication');
    expect(JSON.parse(r.TransactionAttributes?.['rw:own'] ?? '{}').g).toBeUndefined();
  });

  it('another application’s ReceiveDigits (its own pattern) is not ours: the application gets it', async () => {
    const h = harness(ENV);
    await h.invoke(digits('5', { ...RECORDING, [TokenAttribute.WaitForCallEnd]: callEnd }, '^\\d{2}#$'));
    expect(h.successCalls()).toEqual([]);
  });
});
