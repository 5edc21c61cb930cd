/**
 * Bad input, end to end, at each of the three doors into the system:
 * 1. SMA events, into the DEPLOYED artifact: lambdas/sma-handler bundled by scripts/bundle.mjs as infra/ does,
 *    loaded in a fresh node process with the function's environment (bench/lambda-child.cjs). What the unit
 *    tests check in depth on the handler in-process, this checks on the bundle: minified, its real
 *    Powertools logger (stderr) and EMF metrics (stdout), one process serving bad and good events in a row.
 * 2. Workflow inputs, through the twin's StartExecution (real SFN client, the real ASL): FAILED with
 *    INVALID_INPUT and a cause naming the field; nothing asked of the SMA.
 * 3. Scenario files and options, through `npm start`'s main: exit 2, the field named, no twin started. (The
 *    common cases are in scenario-interface.test.ts; these are the remaining fields, and every bound.)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { MAX_EVENT_BYTES } from '../../lambdas/recording/sma-event';
import { checkResponse } from '../../local/sma/actions';
import type { CallHandle } from '../../local/sma/types';
import { main } from '../../local/start';
import { parseScenarioText } from '../../local/scenario/scenario-file';
import { main as simulateMain } from '../../scripts/simulate';
import { DIRECT_NUMBER, startTwin, type Twin } from '../../local/twin/twin';
import { eventMix } from '../../bench/events';
import { bundle, lambdaEnv, runChild, startStubSfn, type StubServer } from '../../bench/lambda';

const tmp = mkdtempSync(join(tmpdir(), 'bad-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('malformed SMA events into the bundled Lambda', () => {
  const mix = eventMix();
  const good = (kind: string) => structuredClone(mix.find((m) => m.kind === kind)!.event);
  const change = (kind: string, edit: (e: any) => void) => {
    const e = good(kind);
    edit(e);
    return e;
  };
  const PHONE = '+12065551212'; // in every fixture: must never reach a log line
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing TransactionId', change('NEW_INBOUND_CALL', (e) => delete e.CallDetails.TransactionId), /CallDetails\.TransactionId/],
    ['Sequence as a string', change('RINGING', (e) => (e.Sequence = '2')), /Sequence/],
    [
      'Participants not a list',
      change('HANGUP', (e) => (e.CallDetails.Participants = { 0: e.CallDetails.Participants[0] })),
      /CallDetails\.Participants/,
    ],
    [
      'unknown event type',
      change('NEW_INBOUND_CALL', (e) => (e.InvocationEventType = 'CALL_TRANSFERRED')),
      /unknown InvocationEventType "CALL_TRANSFERRED"/,
    ],
    [
      'a non-string workflow argument',
      change('CALL_UPDATE_REQUESTED StartRecording', (e) => (e.ActionData.Parameters.Arguments.attempt = 1)),
      /ActionData\.Parameters\.Arguments\.attempt/,
    ],
    ['ACTION_FAILED without ActionData', change('ACTION_FAILED StartCallRecording', (e) => delete e.ActionData), /ActionData/],
    [
      'oversize',
      change('ACTION_SUCCESSFUL StartCallRecording', (e) => (e.CallDetails.TransactionAttributes.padding = 'x'.repeat(MAX_EVENT_BYTES))),
      new RegExp(`over the ${MAX_EVENT_BYTES}-byte limit`),
    ],
    ['not an object', 'NEW_INBOUND_CALL', /malformed SMA event/],
  ];
  let stub: StubServer;
  let run: Awaited<ReturnType<typeof runChild<{ results: Array<{ response?: any; thrown?: string }> }>>>;

  beforeAll(async () => {
    stub = await startStubSfn();
    const { outfile } = bundle(join(__dirname, '..', '..', 'lambdas', 'sma-handler', 'index.ts'), join(tmp, 'bundle', 'index.js'));
    // One process, like one warm Lambda instance: every bad event, then a good one that must still be served.
    const events = [...cases.map((c) => c[1]), good('CALL_UPDATE_REQUESTED StartRecording'), good('HANGUP')];
    run = await runChild(outfile, 'invoke', events, lambdaEnv(stub.endpoint), { captureStdout: true });
  }, 60_000);
  afterAll(() => stub?.close());

  const logLines = () =>
    run.stderr
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  it.each(cases.map(([name, , reason], i) => [name, i, reason] as const))(
    '%s: a valid empty response and a specific logged reason',
    (_name, i, reason) => {
      const { response, thrown } = run.result.results[i];
      expect(thrown).toBeUndefined();
      // Empty action list, TransactionAttributes omitted (= kept by the SMA): the call goes on untouched.
      expect(response).toEqual({ SchemaVersion: '1.0', Actions: null });
      expect(checkResponse(response).ok).toBe(true);
      const errors = logLines().filter((l) => l.level === 'ERROR' && l.function_request_id === `bench-${i + 1}`);
      expect(errors).toEqual([
        expect.objectContaining({
          message: 'malformed SMA event answered with an empty action list',
          reason: expect.stringMatching(reason),
        }),
      ]);
    },
  );

  it('the same process then serves good events normally, with no Step Functions call for the bad ones', () => {
    const [start, hangup] = run.result.results.slice(cases.length);
    expect(start.response.Actions.map((a: any) => a.Type)).toEqual(['StartCallRecording']);
    expect(checkResponse(hangup.response).ok).toBe(true);
    expect(stub.requests).toBe(1); // the HANGUP's SendTaskSuccess only
  });

  it('each bad event is counted in the MalformedEvents metric (EMF on stdout) and no log line carries a phone number', () => {
    const emf = run.stdout
      .split('\n')
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf.filter((m) => m.MalformedEvents === 1)).toHaveLength(cases.length);
    expect(run.stderr + run.stdout).not.toContain(PHONE.slice(1));
  });
});

describe('invalid workflow inputs through StartExecution', () => {
  let twin: Twin;
  let call: CallHandle;
  let updates = 0;
  const good = () => ({
    sipMediaApplicationId: twin.sipMediaApplicationId,
    transactionId: call.transactionId,
    callId: call.legA,
    track: 'BOTH',
    location: twin.bucket,
  });

  beforeAll(async () => {
    twin = await startTwin({ dataDir: join(tmp, 'twin') });
    const update = twin.emulator.updateCall.bind(twin.emulator);
    twin.emulator.updateCall = (transactionId, args) => {
      updates++;
      update(transactionId, args);
    };
    // A live call for the inputs to point at: none of them may reach it.
    call = twin.emulator.placeCall({ from: '+15550100001', to: DIRECT_NUMBER, legs: 1, durationSeconds: 3600 });
    await call.connected;
  }, 60_000);
  afterAll(() => twin?.close());

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['unknown track', () => ({ ...good(), track: 'STEREO' }), /^track: must be one of BOTH, INCOMING, OUTGOING$/],
    ['no track', () => ({ ...good(), track: undefined }), /^track: /],
    [
      'bucket with capitals',
      () => ({ ...good(), location: 'Call-Recordings/calls' }),
      /^location: bucket name may contain only lowercase letters.*\("Call-Recordings"\)$/,
    ],
    ['bucket too short', () => ({ ...good(), location: 'ab' }), /^location: bucket name must be 3-63 characters, got 2/],
    [
      'bucket as an IP address',
      () => ({ ...good(), location: '192.168.10.20/calls' }),
      /^location: bucket name must not be formatted as an IP address/,
    ],
    ['reserved bucket prefix', () => ({ ...good(), location: 'xn--recordings' }), /^location: bucket name must not start with xn--/],
    [
      '".." in the prefix',
      () => ({ ...good(), location: `${twin.bucket}/calls/../../other` }),
      /^location: key prefix must not contain empty, "\." or "\.\." path segments$/,
    ],
    [
      'prefix with a leading "/"',
      () => ({ ...good(), location: `${twin.bucket}//calls` }),
      /^location: key prefix must not start with "\/"$/,
    ],
    [
      'location starting with "/"',
      () => ({ ...good(), location: `/${twin.bucket}` }),
      /^location: bucket name must be 3-63 characters, got 0/,
    ],
    [
      'prefix of 513 characters',
      () => ({ ...good(), location: `${twin.bucket}/${'p'.repeat(513)}` }),
      /^location: key prefix must be at most 512 characters, got 513$/,
    ],
    ['callId of 129 characters', () => ({ ...good(), callId: 'c'.repeat(129) }), /^callId: must be at most 128 characters, got 129$/],
    ['transactionId with a "/"', () => ({ ...good(), transactionId: 'a/b' }), /^transactionId: may contain only/],
    [
      'sipMediaApplicationId a number',
      () => ({ ...good(), sipMediaApplicationId: 42 }),
      /^sipMediaApplicationId: must be a non-empty string$/,
    ],
    [
      'consent text of 1,001 characters',
      () => ({ ...good(), consentText: 'x'.repeat(1001) }),
      /^consentText: must be a non-blank string of at most 1000 characters$/,
    ],
    [
      'two problems at once',
      () => ({ ...good(), track: 'both', location: 'UPPER' }),
      /^track: .*; location: bucket name may contain only lowercase/,
    ],
    ['an array', () => [good()], /^input: must be a JSON object$/],
    ['a string', () => 'record this call', /^input: must be a JSON object$/],
    ['a number', () => 42, /^input: must be a JSON object$/],
    ['null', () => null, /^input: must be a JSON object$/],
  ];

  it.each(cases.map(([name, input, cause], i) => [name, input, cause, i] as const))(
    '%s: FAILED with INVALID_INPUT naming the field',
    async (_name, input, cause, i) => {
      const { executionArn } = await twin.sfn.send(
        new StartExecutionCommand({ stateMachineArn: twin.stateMachineArn, name: `bad-input-${i}`, input: JSON.stringify(input()) }),
      );
      await twin.engine.waitForExecution(executionArn!);
      const described = await twin.sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).toBe('FAILED');
      expect(described.error).toBe('INVALID_INPUT');
      expect(described.cause).toMatch(cause);
      const history = twin.engine.getExecution(executionArn!).history;
      expect(history.filter((e) => e.type.endsWith('StateEntered')).map((e: any) => e.stateEnteredEventDetails.name)).toEqual([
        'ValidateInput',
        'CheckInput',
        'INVALID_INPUT',
      ]);
      expect(history.filter((e) => e.type === 'TaskScheduled')).toEqual([]);
    },
  );

  it('input that is not JSON is refused by StartExecution itself', async () => {
    await expect(
      twin.sfn.send(new StartExecutionCommand({ stateMachineArn: twin.stateMachineArn, name: 'bad-input-json', input: '{"track": ' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
  });

  it('nothing was asked of the SMA: no UpdateSipMediaApplicationCall, the live call saw no CALL_UPDATE_REQUESTED', () => {
    expect(updates).toBe(0);
    expect(call.log.map((r) => r.eventType)).not.toContain('CALL_UPDATE_REQUESTED');
    expect(call.recordings).toEqual([]);
  });
});

describe('invalid scenario files: npm start exits 2, names the field, starts nothing', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['root is a list', [{ name: 'a' }], /<root>: must be a JSON object/],
    ['unknown root field', { calls: [{ name: 'a' }], speed: 10 }, /<root>\.speed: unknown field/],
    ['calls is an object', { calls: { name: 'a' } }, /^bad scenario: calls: must be a non-empty array/],
    ['a call that is not an object', { calls: ['a'] }, /calls\[0\]: must be an object/],
    ['empty name', { calls: [{ name: ' ' }] }, /calls\[0\]\.name: must be a non-empty string/],
    ['name too long', { calls: [{ name: 'n'.repeat(201) }] }, /calls\[0\]\.name: must be a non-empty string of at most 200 characters/],
    ['location not a string', { calls: [{ name: 'a', location: ['bucket'] }] }, /calls\[0\]\.location: must be a string/],
    [
      'zero duration',
      { calls: [{ name: 'a', durationSeconds: 0 }] },
      /calls\[0\]\.durationSeconds: must be a number in \[1, 14400\], got 0/,
    ],
    [
      'duration over 4 h',
      { calls: [{ name: 'a', durationSeconds: 14401 }] },
      /calls\[0\]\.durationSeconds: must be a number in \[1, 14400\]/,
    ],
    ['duration as text', { calls: [{ name: 'a', durationSeconds: '60' }] }, /calls\[0\]\.durationSeconds: must be a number/],
    ['consent text a number', { calls: [{ name: 'a', consentText: 1 }] }, /calls\[0\]\.consentText: must be a string/],
    ['faults not an object', { calls: [{ name: 'a', faults: ['dropRecording'] }] }, /calls\[0\]\.faults: must be an object/],
    [
      'hangup as text',
      { calls: [{ name: 'a', faults: { hangupAfterSeconds: 'soon' } }] },
      /calls\[0\]\.faults\.hangupAfterSeconds: must be a number/,
    ],
    [
      'dropRecording "yes"',
      { calls: [{ name: 'a', faults: { dropRecording: 'yes' } }] },
      /calls\[0\]\.faults\.dropRecording: must be true or false/,
    ],
    [
      'emptyRecording 1',
      { calls: [{ name: 'a', faults: { emptyRecording: 1 } }] },
      /calls\[0\]\.faults\.emptyRecording: must be true or false/,
    ],
    [
      'unknown consent error',
      { calls: [{ name: 'a', faults: { consent: ['SystemException', 'Oops'] } }] },
      /calls\[0\]\.faults\.consent\[1\]: must be one of/,
    ],
    [
      '21 start failures',
      { calls: [{ name: 'a', faults: { startRecording: Array(21).fill('SystemException') } }] },
      /calls\[0\]\.faults\.startRecording: must be an array of at most 20/,
    ],
    [
      'metadata name with capitals',
      { calls: [{ name: 'a', faults: { metadata: { 'Call-Id': 'x' } } }] },
      /calls\[0\]\.faults\.metadata\.Call-Id: metadata names are lowercase/,
    ],
    ['metadata a list', { calls: [{ name: 'a', faults: { metadata: ['call-id'] } }] }, /calls\[0\]\.faults\.metadata: must be an object/],
    [
      'duplicateEvents (test-only, not in the format)',
      { calls: [{ name: 'a', faults: { duplicateEvents: true } }] },
      /calls\[0\]\.faults\.duplicateEvents: unknown field/,
    ],
    ['expect a string', { calls: [{ name: 'a', expect: 'RECORDED' }] }, /calls\[0\]\.expect: must be an object/],
    ['unknown expect field', { calls: [{ name: 'a', expect: { status: 'SUCCEEDED' } }] }, /calls\[0\]\.expect\.status: unknown field/],
    [
      'negative startAttempts',
      { calls: [{ name: 'a', expect: { startAttempts: -1 } }] },
      /calls\[0\]\.expect\.startAttempts: must be an integer in \[0, 100\]/,
    ],
    [
      'the error is in the 3rd call',
      { calls: [{ name: 'a' }, { name: 'b' }, { name: 'c', legs: 0 }] },
      /calls\[2\]\.legs: must be 1 or 2, got 0/,
    ],
    // Bounds: each the real service's, or what the twin can honour.
    [
      'hangup after the call has ended',
      { calls: [{ name: 'a', durationSeconds: 14400, faults: { hangupAfterSeconds: 86400 } }] },
      /calls\[0\]\.faults\.hangupAfterSeconds: must be a number in \[0, 14400\] \(within the call's durationSeconds\), got 86400$/m,
    ],
    [
      'hangup after a short call has ended',
      { calls: [{ name: 'a', durationSeconds: 60, faults: { hangupAfterSeconds: 61 } }] },
      /calls\[0\]\.faults\.hangupAfterSeconds: must be a number in \[0, 60\]/,
    ],
    [
      'a recording a day late',
      { calls: [{ name: 'a', faults: { deliveryDelaySeconds: 86400 } }] },
      /calls\[0\]\.faults\.deliveryDelaySeconds: must be a number in \[0, 3600\], got 86400/,
    ],
    [
      "consent text over Speak's 1,000 characters",
      { calls: [{ name: 'a', consentText: 'x'.repeat(1001) }] },
      /calls\[0\]\.consentText: must be at most 1000 characters \(Speak's limit\), got 1001$/m,
    ],
    [
      'consent text over 256 KB (the StartExecution input limit)',
      { calls: [{ name: 'a' }, { name: 'b', consentText: 'x'.repeat(300 * 1024) }] },
      /calls\[1\]\.consentText: must be at most 1000 characters \(Speak's limit\), got 307200$/m,
    ],
    [
      'location longer than any S3 key',
      { calls: [{ name: 'a', location: `b/${'p'.repeat(1100)}` }] },
      /calls\[0\]\.location: must be at most 1024 characters \(S3's key limit\), got 1102$/m,
    ],
    [
      "metadata over S3's 2 KB",
      { calls: [{ name: 'a', faults: { metadata: { 'call-id': 'c'.repeat(2100) } } }] },
      /calls\[0\]\.faults\.metadata: names and values must total at most 2048 bytes/,
    ],
    [
      'metadata with a newline (not sendable as a header)',
      { calls: [{ name: 'a', faults: { metadata: { 'call-id': 'a\nb' } } }] },
      /calls\[0\]\.faults\.metadata\.call-id: must not contain control characters/,
    ],
    [
      'fractional startAttempts',
      { calls: [{ name: 'a', expect: { startAttempts: 1.5 } }] },
      /calls\[0\]\.expect\.startAttempts: must be an integer in \[0, 100\], got 1\.5/,
    ],
    [
      'a 5,000-character value is elided',
      { calls: [{ name: 'a', track: 'T'.repeat(5000) }] },
      /calls\[0\]\.track: must be one of BOTH, INCOMING, OUTGOING, got "T{59}… \(5002 characters\)$/m,
    ],
    ['an unknown app', { calls: [{ name: 'a', app: 'queue' }] }, /calls\[0\]\.app: must be one of bridge, ivr, got "queue"/],
    ['digits not a list', { calls: [{ name: 'a', digits: '1' }] }, /calls\[0\]\.digits: must be an array of at most 50 presses/],
    [
      'a press after the caller hung up',
      { calls: [{ name: 'a', durationSeconds: 30, digits: [{ atSeconds: 31, digits: '1' }] }] },
      /calls\[0\]\.digits\[0\]\.atSeconds: must be a number in \[0, 30\] \(seconds from answer, within the call's durationSeconds\), got 31/,
    ],
    [
      'a key that is not DTMF',
      { calls: [{ name: 'a', digits: [{ atSeconds: 1, digits: '1a' }] }] },
      /calls\[0\]\.digits\[0\]\.digits: must be 1 to 128 DTMF keys \(0-9, \*, #\), got "1a"/,
    ],
    [
      'an unknown field in a press',
      { calls: [{ name: 'a', digits: [{ atSeconds: 1, digits: '1', after: 2 }] }] },
      /calls\[0\]\.digits\[0\]\.after: unknown field/,
    ],
    [
      'a 5,000-character unknown field name is elided',
      { calls: [{ name: 'a', ['f'.repeat(5000)]: 1 }] },
      /calls\[0\]\.f{60}… \(5000 characters\): unknown field/,
    ],
  ];

  it.each(cases.map(([name, content, message], i) => [name, content, message, i] as const))('%s', async (_name, content, message, i) => {
    const file = join(tmp, `scenario-${i}.json`);
    writeFileSync(file, JSON.stringify(content));
    const dataDir = join(tmp, `never-${i}`);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--scenario', file, '--data-dir', dataDir, '--no-export'], {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/^bad scenario: /);
    expect(err.join('')).toMatch(message);
    expect(out.join('')).toBe('');
    expect(err.join('').length).toBeLessThan(600); // one short line, whatever the size of the bad value
    expect(existsSync(dataDir)).toBe(false); // refused before any twin was started
  });

  // Text JSON.stringify cannot write: numbers beyond a double, a byte-order mark.
  const rawCases: Array<[string, string, RegExp]> = [
    [
      'a duration of 1e400',
      '{"calls": [{"name": "a", "durationSeconds": 1e400}]}',
      /calls\[0\]\.durationSeconds: must be a number in \[1, 14400\], got a number outside the double range$/m,
    ],
    [
      'a hangup of -1e400',
      '{"calls": [{"name": "a", "faults": {"hangupAfterSeconds": -1e400}}]}',
      /calls\[0\]\.faults\.hangupAfterSeconds: .*got a number outside the double range$/m,
    ],
    [
      'a BOM, then an error: the message has no invisible character',
      '\ufeff{"calls": [{"name": "a", "legs": 3}]}',
      /^bad scenario: calls\[0\]\.legs: must be 1 or 2, got 3\n$/,
    ],
  ];
  it.each(rawCases.map(([name, text, message], i) => [name, text, message, i] as const))('%s', async (_name, text, message, i) => {
    const file = join(tmp, `raw-${i}.json`);
    writeFileSync(file, text);
    const dataDir = join(tmp, `never-raw-${i}`);
    const err: string[] = [];
    const code = await main(['--scenario', file, '--data-dir', dataDir, '--no-export'], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => err.push(s) },
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(message);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a scenario file with a UTF-8 BOM is read like one without', () => {
    const text = JSON.stringify({ calls: [{ name: 'bom', durationSeconds: 30 }] });
    expect(parseScenarioText('\ufeff' + text)).toEqual(parseScenarioText(text));
  });
});

describe('npm start options beyond what the twin can honour: exit 2 naming the option, nothing started', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--calls', '10000000'], /--calls must be an integer from 1 to 100000$/m],
    [['--calls', `1${'0'.repeat(400)}`], /--calls must be an integer from 1 to 100000 \(that is outside the double range\)/],
    [['--calls', '0'], /--calls must be an integer from 1 to 100000/],
    [['--calls', '5', '--concurrency', '100001'], /--concurrency must be an integer from 1 to 100000/],
    [['--calls', '5', '--concurrency', '2.5'], /--concurrency must be an integer/],
    [['--calls', 'x'.repeat(5000)], /argument 'x{99}… \(5002 characters\) is invalid/],
  ];
  it.each(cases.map(([args, message], i) => [args.join(' ').slice(0, 40), args, message, i] as const))(
    '%s',
    async (_name, args, message, i) => {
      const dataDir = join(tmp, `never-option-${i}`);
      const err: string[] = [];
      const code = await main([...args, '--data-dir', dataDir, '--no-export'], {
        stdout: { write: () => true },
        stderr: { write: (s: string) => err.push(s) },
      });
      expect(code).toBe(2);
      expect(err.join('')).toMatch(message);
      expect(err.join('').length).toBeLessThan(400);
      expect(existsSync(dataDir)).toBe(false);
    },
  );

  it('npm run simulate bounds --calls, --concurrency and --shards, naming the option', async () => {
    for (const [args, bound] of [
      [['--calls', '1000001'], '1 to 1000000'],
      [['--concurrency', '0'], '1 to 2000'],
      [['--concurrency', '1e400'], '1 to 2000'],
      [['--shards', '17'], '1 to 16'],
    ] as const) {
      const err: string[] = [];
      expect(
        await simulateMain([...args, '--data-dir', join(tmp, 'never-simulate')], {
          stdout: { write: () => true },
          stderr: { write: (s: string) => err.push(s) },
        }),
      ).toBe(2);
      expect(err.join('')).toMatch(new RegExp(`${args[0]} must be an integer from ${bound}`));
    }
    expect(existsSync(join(tmp, 'never-simulate'))).toBe(false);
  });
});
