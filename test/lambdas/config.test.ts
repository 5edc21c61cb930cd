/** loadConfig: a bad setting is reported in `problems` and switches its feature off; it never throws. */
import { loadConfig } from '../../lambdas/sma-handler/config';
import { AUTO_RECORD_ENV } from './helpers';

describe('loadConfig', () => {
  it('defaults: on-demand recording only, no routes, documented voice and timeouts, no problems', () => {
    expect(loadConfig({})).toEqual({
      autoRecord: false,
      mailbox: false,
      dtmfControls: false,
      bridgeRoutes: {},
      bridgeTimeoutSeconds: 30,
      unrouted: { kind: 'hangup', sipResponseCode: '480' },
      voice: { engine: 'neural', languageCode: 'en-US', voiceId: 'Joanna' },
      sfnRequestTimeoutMs: 1500,
      metricsNamespace: 'CallRecording',
      serviceName: 'sma-recording',
      problems: [],
    });
  });

  it('takes the Powertools namespace and service name infra/ sets', () => {
    const c = loadConfig({ POWERTOOLS_METRICS_NAMESPACE: 'CallRecording/SmaHandler', POWERTOOLS_SERVICE_NAME: 'sma-handler' });
    expect([c.metricsNamespace, c.serviceName]).toEqual(['CallRecording/SmaHandler', 'sma-handler']);
  });

  it('AUTO_RECORD=on with a state machine and a location', () => {
    expect(loadConfig(AUTO_RECORD_ENV).autoRecord).toEqual({
      stateMachineArn: AUTO_RECORD_ENV.STATE_MACHINE_ARN,
      location: 'my-recording-bucket/calls',
      track: 'BOTH',
      consentText: undefined,
    });
  });

  it('AUTO_RECORD is case- and space-insensitive; GovCloud/China ARNs are accepted', () => {
    const c = loadConfig({
      ...AUTO_RECORD_ENV,
      AUTO_RECORD: ' On ',
      STATE_MACHINE_ARN: 'arn:aws-us-gov:states:us-gov-west-1:111122223333:stateMachine:w',
    });
    expect(c.problems).toEqual([]);
    expect(c.autoRecord).not.toBe(false);
  });

  it('RECORDING_TRACK and CONSENT_TEXT are taken; a blank CONSENT_TEXT means the workflow default', () => {
    expect(loadConfig({ ...AUTO_RECORD_ENV, RECORDING_TRACK: 'OUTGOING', CONSENT_TEXT: 'Recorded.' }).autoRecord).toEqual(
      expect.objectContaining({ track: 'OUTGOING', consentText: 'Recorded.' }),
    );
    expect(loadConfig({ ...AUTO_RECORD_ENV, CONSENT_TEXT: '   ' }).autoRecord).toEqual(expect.objectContaining({ consentText: undefined }));
  });

  const autoRecordProblems: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['no STATE_MACHINE_ARN', { STATE_MACHINE_ARN: undefined }, /^AUTO_RECORD=on ignored: STATE_MACHINE_ARN: must be a state machine ARN$/],
    ['a Lambda ARN as STATE_MACHINE_ARN', { STATE_MACHINE_ARN: 'arn:aws:lambda:us-east-1:111122223333:function:f' }, /STATE_MACHINE_ARN/],
    ['no RECORDING_LOCATION', { RECORDING_LOCATION: undefined }, /^AUTO_RECORD=on ignored: RECORDING_LOCATION: must be a non-empty string/],
    [
      'RECORDING_LOCATION with an invalid bucket',
      { RECORDING_LOCATION: 'My_Bucket/calls' },
      /^AUTO_RECORD=on ignored: RECORDING_LOCATION: bucket name may contain only lowercase/,
    ],
    ['RECORDING_LOCATION with ".."', { RECORDING_LOCATION: 'my-recording-bucket/../x' }, /RECORDING_LOCATION: key prefix must not contain/],
    [
      'RECORDING_TRACK in lower case',
      { RECORDING_TRACK: 'both' },
      /^AUTO_RECORD=on ignored: RECORDING_TRACK: must be one of BOTH, INCOMING, OUTGOING/,
    ],
    ['CONSENT_TEXT over Speak’s 1,000 characters', { CONSENT_TEXT: 'x'.repeat(1001) }, /^AUTO_RECORD=on ignored: CONSENT_TEXT: /],
  ];
  it.each(autoRecordProblems)('AUTO_RECORD=on with %s: reported, auto-record off, nothing thrown', (_name, change, problem) => {
    const c = loadConfig({ ...AUTO_RECORD_ENV, ...change });
    expect(c.autoRecord).toBe(false);
    expect(c.problems).toEqual([expect.stringMatching(problem)]);
  });

  it('CONSENT_TEXT of exactly 1,000 characters is fine', () => {
    expect(loadConfig({ ...AUTO_RECORD_ENV, CONSENT_TEXT: 'x'.repeat(1000) }).problems).toEqual([]);
  });

  it('AUTO_RECORD neither on nor off: reported, recording only on demand', () => {
    const c = loadConfig({ ...AUTO_RECORD_ENV, AUTO_RECORD: 'yes' });
    expect(c.autoRecord).toBe(false);
    expect(c.problems).toEqual(['AUTO_RECORD: must be "on" or "off", got "yes"; recording only on demand']);
  });

  it('AUTO_RECORD=off ignores the other recording settings, even invalid ones', () => {
    expect(loadConfig({ AUTO_RECORD: 'off', RECORDING_LOCATION: 'BAD', RECORDING_TRACK: 'x' })).toEqual(
      expect.objectContaining({ autoRecord: false, problems: [] }),
    );
  });

  it('BRIDGE_ROUTES: E.164 to E.164', () => {
    expect(loadConfig({ BRIDGE_ROUTES: '{"+12065551212":"+17035550122","+442071838750":"+15105550101"}' }).bridgeRoutes).toEqual({
      '+12065551212': '+17035550122',
      '+442071838750': '+15105550101',
    });
  });

  it.each([
    ['not JSON', '{+12065551212: +17035550122}'],
    ['an array', '["+12065551212"]'],
    ['null', 'null'],
    ['a key that is not E.164', '{"2065551212":"+17035550122"}'],
    ['a value that is not a string', '{"+12065551212":17035550122}'],
  ])('BRIDGE_ROUTES %s: reported, no routes', (_name, raw) => {
    const c = loadConfig({ BRIDGE_ROUTES: raw });
    expect(c.bridgeRoutes).toEqual({});
    expect(c.problems).toEqual([expect.stringMatching(/^BRIDGE_ROUTES ignored: /)]);
  });

  it('BRIDGE_ROUTES with one bad entry after good ones is ignored entirely, as the problem says', () => {
    const c = loadConfig({ BRIDGE_ROUTES: '{"+12065551212":"+17035550122","+15105550101":"voicemail"}' });
    expect(c.problems).toEqual(['BRIDGE_ROUTES ignored: keys and values must be E.164 numbers, got "+15105550101" -> "voicemail"']);
    expect(c.bridgeRoutes).toEqual({});
  });

  it.each([
    ['BRIDGE_TIMEOUT_SECONDS', '0', 'bridgeTimeoutSeconds', 30],
    ['BRIDGE_TIMEOUT_SECONDS', '121', 'bridgeTimeoutSeconds', 30],
    ['BRIDGE_TIMEOUT_SECONDS', '2.5', 'bridgeTimeoutSeconds', 30],
    ['BRIDGE_TIMEOUT_SECONDS', 'thirty', 'bridgeTimeoutSeconds', 30],
    ['SFN_REQUEST_TIMEOUT_MS', '50', 'sfnRequestTimeoutMs', 1500],
    ['SFN_REQUEST_TIMEOUT_MS', '5000', 'sfnRequestTimeoutMs', 1500],
  ] as const)('%s=%s: reported, default used', (name, raw, key, fallback) => {
    const c = loadConfig({ [name]: raw });
    expect(c[key]).toBe(fallback);
    expect(c.problems).toEqual([
      `${name}: must be an integer in [${name === 'BRIDGE_TIMEOUT_SECONDS' ? '1, 120' : '100, 4000'}], got "${raw}"; using ${fallback}`,
    ]);
  });

  it.each([
    ['BRIDGE_TIMEOUT_SECONDS', '120', 'bridgeTimeoutSeconds'],
    ['SFN_REQUEST_TIMEOUT_MS', '4000', 'sfnRequestTimeoutMs'],
    ['SFN_REQUEST_TIMEOUT_MS', '100', 'sfnRequestTimeoutMs'],
  ] as const)('%s=%s (a bound) is accepted', (name, raw, key) => {
    expect(loadConfig({ [name]: raw })[key]).toBe(Number(raw));
  });

  it('several bad settings are all reported, each switching off only its own feature', () => {
    const c = loadConfig({
      ...AUTO_RECORD_ENV,
      RECORDING_TRACK: 'STEREO',
      BRIDGE_ROUTES: '[]',
      BRIDGE_TIMEOUT_SECONDS: '-1',
      SPEAK_VOICE_ID: 'Matthew',
    });
    expect(c.problems).toHaveLength(3);
    expect(c.autoRecord).toBe(false);
    expect(c.voice.voiceId).toBe('Matthew');
  });

  it('never throws, whatever the environment holds', () => {
    const weird = [
      '',
      ' ',
      'on',
      'null',
      '{}',
      '[]',
      '\u0000',
      'x'.repeat(5000),
      '{"__proto__":{"polluted":"+12065551212"}}',
      '1e3',
      'NaN',
    ];
    for (const value of weird) {
      const env = Object.fromEntries(
        [
          'AUTO_RECORD',
          'STATE_MACHINE_ARN',
          'RECORDING_LOCATION',
          'RECORDING_TRACK',
          'CONSENT_TEXT',
          'BRIDGE_ROUTES',
          'BRIDGE_TIMEOUT_SECONDS',
          'SFN_REQUEST_TIMEOUT_MS',
        ].map((k) => [k, value]),
      );
      expect(() => loadConfig(env)).not.toThrow();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['hangup', { kind: 'hangup', sipResponseCode: '480' }],
    ['hangup:486', { kind: 'hangup', sipResponseCode: '486' }],
    [' HANGUP:0 ', { kind: 'hangup', sipResponseCode: '0' }],
    ['speak:Not in service: goodbye.', { kind: 'speak', text: 'Not in service: goodbye.' }],
    ['hold', { kind: 'hold' }],
    ['hold:Please hold.', { kind: 'hold', text: 'Please hold.' }],
  ])('UNROUTED_CALLS=%s', (raw, policy) => {
    const c = loadConfig({ UNROUTED_CALLS: raw });
    expect(c.unrouted).toEqual(policy);
    expect(c.problems).toEqual([]);
  });

  it.each([
    ['hangup:404', /^UNROUTED_CALLS: hangup takes a SIP code of 0, 480 or 486/],
    ['speak', /^UNROUTED_CALLS: "speak:" needs a text to speak/],
    ['speak:   ', /^UNROUTED_CALLS: "speak:" needs a text/],
    [`speak:${'x'.repeat(1001)}`, /^UNROUTED_CALLS: the text to speak is 1001 characters, over Speak's 1000/],
    ['ring', /^UNROUTED_CALLS: must be "hangup\[:0\|480\|486\]", "speak:<text>" or "hold\[:<text>\]", got "ring"; using hangup:480$/],
  ])('UNROUTED_CALLS=%s is reported naming the variable, and the default applies', (raw, problem) => {
    const c = loadConfig({ UNROUTED_CALLS: raw });
    expect(c.unrouted).toEqual({ kind: 'hangup', sipResponseCode: '480' });
    expect(c.problems).toEqual([expect.stringMatching(problem)]);
  });
});
