/**
 * `recording-twin --handler FILE[#export]` (local/start.ts's main with --handler): a handler written outside the
 * repository, plain CommonJS, configured only through the environment as in AWS, is every call's SMA application.
 * A call is recorded only if the middleware's own Step Functions client (SDK defaults, no endpoint given) reaches
 * the twin. The scenario's `to` and `digits` drive the handler's own call flow.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../local/start';

const dir = mkdtempSync(join(tmpdir(), 'user-handler-'));
const MIDDLEWARE = join(__dirname, '..', '..', 'lambdas', 'middleware');

/** A menu: "press 1"; 1 -> a Speak ("sales"), anything else -> Hangup. Every event is noted in `seen`. */
const HANDLER = `
const { withRecording } = require(${JSON.stringify(MIDDLEWARE)});
const seen = [];
const answer = (...Actions) => ({ SchemaVersion: '1.0', Actions });
async function menu(event) {
  const legA = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  const digits = event.ActionData && event.ActionData.ReceivedDigits;
  seen.push({ type: event.InvocationEventType, to: legA && legA.To, digits, arn: process.env.STATE_MACHINE_ARN });
  const callId = legA.CallId;
  if (event.InvocationEventType === 'NEW_INBOUND_CALL')
    return answer({ Type: 'ReceiveDigits', Parameters: { CallId: callId, InputDigitsRegex: '^[0-9]$', InBetweenDigitsDurationInMilliseconds: 1000, FlushDigitsDurationInMilliseconds: 10000 } });
  if (event.InvocationEventType === 'DIGITS_RECEIVED')
    return digits === '1' ? answer({ Type: 'Speak', Parameters: { CallId: callId, Text: 'sales', Engine: 'neural', LanguageCode: 'en-US', VoiceId: 'Joanna' } }) : answer({ Type: 'Hangup', Parameters: { SipResponseCode: '0' } });
  return answer();
}
exports.seen = seen;
exports.main = withRecording(menu);
`;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
const run = async (args: string[]) => {
  const c = capture();
  const code = await main([...args, '--data-dir', join(dir, `data-${Math.random().toString(36).slice(2)}`), '--no-export'], c.io);
  return { code, out: c.out(), err: c.err() };
};
const file = (name: string, content: string) => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};

const handlerFile = file('handler.js', HANDLER);
const scenario = file(
  'calls.json',
  JSON.stringify({
    calls: [
      {
        name: 'sales',
        to: '+15550100777',
        legs: 1,
        durationSeconds: 60,
        digits: [{ atSeconds: 5, digits: '1' }],
        expect: { outcome: 'RECORDED' },
      },
    ],
  }),
);

describe('--handler: the user handler is the SMA application', () => {
  it('records a call of its own flow: the number dialled and the keys pressed reach it, and the middleware reaches the twin', async () => {
    const envBefore = process.env.AWS_ENDPOINT_URL_SFN;
    const { code, out, err } = await run(['--handler', `${handlerFile}#main`, '--scenario', scenario, '--json']);
    if (code !== 0) throw new Error(`exited ${code}:\n${out}\n${err}`);
    const doc = JSON.parse(out);
    expect(doc.calls[0]).toMatchObject({ name: 'sales', outcome: 'RECORDED', startAttempts: 1 });
    const { seen } = require(handlerFile) as { seen: Array<{ type: string; to: string; digits?: string; arn?: string }> };
    expect(seen[0]).toMatchObject({ type: 'NEW_INBOUND_CALL', to: '+15550100777' });
    expect(seen.find((e) => e.type === 'DIGITS_RECEIVED')?.digits).toBe('1');
    expect(seen[0]!.arn).toMatch(/^arn:aws:states:us-east-1:123456789012:stateMachine:/);
    // The environment the handler ran in is the run's only: the process gets its own back.
    expect(process.env.AWS_ENDPOINT_URL_SFN).toBe(envBefore);
  });

  it('refuses what cannot run, exit 2 with the reason', async () => {
    const noExport = await run(['--handler', `${handlerFile}#nope`, '--scenario', scenario]);
    expect(noExport).toMatchObject({ code: 2 });
    expect(noExport.err).toMatch(/exports no function "nope" \(functions: main/);
    const missing = await run(['--handler', join(dir, 'absent.js'), '--scenario', scenario]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--handler: no file .*absent\.js/);
    const demo = await run(['--handler', handlerFile]);
    expect(demo.code).toBe(2);
    expect(demo.err).toMatch(/--handler needs --scenario FILE or --calls N/);
    const builtIn = file('ivr.json', JSON.stringify({ calls: [{ name: 'ivr', app: 'ivr' }] }));
    const app = await run(['--handler', `${handlerFile}#main`, '--scenario', builtIn]);
    expect(app.code).toBe(2);
    expect(app.err).toMatch(/calls\[0\]\.app: the built-in apps do not run with --handler/);
    expect(existsSync(handlerFile) && readFileSync(handlerFile, 'utf8')).toContain('withRecording');
  });
});
