/**
 * The IVR example (examples/ivr) under the recording middleware, through the whole twin: the recording is
 * started on demand while the caller hears the menu, the menu is interrupted by the recording's own actions and
 * resumes, the caller's "1" still reaches the agent (a LEG-B is bridged), and the outcome is RECORDED.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import type { CallHandle } from '../../local/sma/types';
import { AGENT_NUMBER, SUPPORT_AGENT_NUMBER, startTwin, type Twin } from '../../local/twin/twin';

let twin: Twin;
let dataDir: string;
const handles: CallHandle[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ivr-'));
  twin = await startTwin({ dataDir: join(dataDir, 'twin'), seed: 9 });
  // The runner places the calls; keep their handles to look at what the emulator ran.
  const place = twin.emulator.placeCall.bind(twin.emulator);
  twin.emulator.placeCall = (spec) => {
    const handle = place(spec);
    handles.push(handle);
    return handle;
  };
});
afterAll(async () => {
  await twin?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const readObject = async (key: string): Promise<string> => {
  const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: key }));
  return got.Body!.transformToString();
};

const byName = async (calls: unknown) => {
  handles.length = 0;
  const parsed = parseScenario({ calls });
  const results = await runCalls(twin, parsed);
  return parsed.map((_c, i) => ({ result: results[i], handle: handles[i] }));
};

describe('IVR with the recording middleware (scenario "app": "ivr")', () => {
  it('recording asked for mid-menu: it starts when the menu ends, in one attempt; the menu played once; the caller reaches the agent, RECORDED', async () => {
    const [{ result, handle }] = await byName([
      {
        name: 'ivr-1',
        app: 'ivr',
        legs: 2,
        durationSeconds: 60,
        digits: [{ atSeconds: 6, digits: '1' }],
        expect: { outcome: 'RECORDED', startAttempts: 1 },
      },
    ]);
    expect(result).toEqual(expect.objectContaining({ outcome: 'RECORDED', startAttempts: 1, passed: true }));
    const summary = await handle.ended;
    // The caller reached the agent for digit 1: a LEG-B to that number was bridged.
    expect(summary.participants.find((p) => p.ParticipantTag === 'LEG-B')).toEqual(
      expect.objectContaining({ To: AGENT_NUMBER, Direction: 'Outbound' }),
    );
    const actions = summary.actions.map((a) => `${a.type}:${a.status}${a.receivedDigits ? `:${a.receivedDigits}` : ''}`);
    // The menu cannot be interrupted (update-sip-call): the recording's start waited for its end (the update was
    // answered with a NULL action set), ran right after it, and the IVR's bridge, held meanwhile, followed.
    // The consent notice follows the start in the Lambda's own answer (issue 21: no update), before the held bridge.
    expect(actions.slice(0, 4)).toEqual(['SpeakAndGetDigits:ok:1', 'StartCallRecording:ok', 'Speak:ok', 'CallAndBridge:ok']);
    expect(actions.filter((a) => a.startsWith('SpeakAndGetDigits'))).toHaveLength(1);
    expect(actions.filter((a) => a.endsWith(':interrupted'))).toEqual([]);
    const manifest = JSON.parse(await readObject(result.manifestKey!));
    expect(manifest.startAttempts).toEqual([expect.objectContaining({ result: 'STARTED', waitedBehind: ['SpeakAndGetDigits'] })]);
    expect(summary.recordings).toEqual([expect.objectContaining({ participantTag: 'LEG-A', status: 'delivered' })]);
    // The application's events never carried the recording's keys... the SMA's did (namespaced, merged).
    const attrs = handle.log.map(
      (r) => (r.event.CallDetails as { TransactionAttributes?: Record<string, string> }).TransactionAttributes ?? {},
    );
    expect(attrs.some((a) => a['ivr:repeats'] === '0' && Object.keys(a).some((k) => k.startsWith('rw:')))).toBe(true);
    expect(summary.notes.filter((n) => /INVALID_LAMBDA_RESPONSE|emulator error/.test(n))).toEqual([]);
  });

  it('an application written to AWS’s docs only keeps a working call flow through start, notice, wait, pause and resume', async () => {
    // The IVR answers nothing to ACTION_INTERRUPTED and knows nothing of the recording. A pause is asked for during
    // the menu (the recording waits for its end) and a resume once the caller talks to the agent.
    const [{ result, handle }] = await byName([
      {
        name: 'ivr-pause-resume',
        app: 'ivr',
        legs: 2,
        durationSeconds: 60,
        digits: [{ atSeconds: 6, digits: '1' }],
        controls: [
          { atSeconds: 20, action: 'pause', requestedBy: 'agent-7' },
          { atSeconds: 35, action: 'resume', requestedBy: 'agent-7' },
        ],
        expect: { outcome: 'RECORDED', startAttempts: 1 },
      },
    ]);
    expect(result).toEqual(expect.objectContaining({ outcome: 'RECORDED', startAttempts: 1, passed: true }));
    const summary = await handle.ended;
    const actions = summary.actions.map((a) => `${a.type}:${a.status}`);
    // Nothing of the application's was interrupted or replayed; the caller reached the agent and stayed there.
    expect(actions.filter((a) => a.endsWith(':interrupted'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('SpeakAndGetDigits'))).toEqual(['SpeakAndGetDigits:ok']);
    expect(actions.filter((a) => a.startsWith('CallAndBridge'))).toEqual(['CallAndBridge:ok']);
    expect(actions).toEqual(expect.arrayContaining(['PauseCallRecording:ok', 'ResumeCallRecording:ok']));
    // The recording's pause window covers the time asked for (the agent is bridged: nothing to wait behind).
    const [window] = summary.recordings[0]!.pauses;
    expect(window).toBeDefined();
    expect((window!.endMs! - window!.startMs) / 1000).toBeGreaterThan(13);
    expect(summary.notes.filter((n) => /INVALID_LAMBDA_RESPONSE|emulator error|not reported/.test(n))).toEqual([]);
  });

  it('digit 2 bridges the second agent; a wrong digit repeats the menu; silence twice more ends the call', async () => {
    const runs = await byName([
      { name: 'ivr-2', app: 'ivr', legs: 2, durationSeconds: 40, digits: [{ atSeconds: 7, digits: '2' }], expect: { outcome: 'RECORDED' } },
      {
        name: 'ivr-wrong-then-1',
        app: 'ivr',
        legs: 2,
        durationSeconds: 60,
        digits: [
          { atSeconds: 6, digits: '9' },
          // after the repeated menu has started: the consent notice plays between the menus (it follows the start)
          { atSeconds: 20, digits: '1' },
        ],
        expect: { outcome: 'RECORDED' },
      },
      { name: 'ivr-silent', app: 'ivr', legs: 2, durationSeconds: 120, expect: { outcome: 'RECORDED' } },
    ]);
    const [two, wrong, silent] = await Promise.all(runs.map((r) => r.handle.ended));
    expect(two.participants.find((p) => p.ParticipantTag === 'LEG-B')?.To).toBe(SUPPORT_AGENT_NUMBER);
    expect(wrong.actions.filter((a) => a.type === 'SpeakAndGetDigits' && a.status === 'ok').map((a) => a.receivedDigits)).toEqual([
      '9',
      '1',
    ]);
    expect(wrong.participants.find((p) => p.ParticipantTag === 'LEG-B')?.To).toBe(AGENT_NUMBER);
    // Nothing pressed: the menu times out three times (once plus two repeats), then Goodbye and Hangup.
    const menus = silent.actions.filter((a) => a.type === 'SpeakAndGetDigits' && a.status === 'failed');
    expect(menus).toHaveLength(3);
    expect(silent.actions.slice(-2).map((a) => a.type)).toEqual(['Speak', 'Hangup']);
    expect(silent.participants.some((p) => p.ParticipantTag === 'LEG-B')).toBe(false);
    for (const r of runs) expect(r.result.outcome).toBe('RECORDED');
  });
});
