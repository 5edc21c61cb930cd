/**
 * The scenario JSON's call flow (issue 20, item 5): per call, every action the SMA ran or dropped, whose code
 * returned it (`by`), when (seconds from the call's arrival) and how it ended, whether the call was bridged, and
 * when the recording started. Read from `--json`'s document (jsonReport), as an outside check would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallFlowAction } from '../../local/scenario/call-flow';
import { jsonReport } from '../../local/scenario/report';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { startTwin, type Twin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'call-flow-'));
let twin: Twin;
let calls: Record<
  string,
  { actions: CallFlowAction[]; bridged: boolean; recordingStartedAtSeconds: number | null; outcome: string | null }
>;

beforeAll(async () => {
  twin = await startTwin({ dataDir: dir, seed: 5, lambdaEnv: { RECORDING_DTMF_CONTROLS: 'pause=5,resume=6,stop=7' } });
  const scenario = parseScenario({
    calls: [
      { name: 'bridged', legs: 2, durationSeconds: 30 },
      { name: 'ivr', app: 'ivr', legs: 2, durationSeconds: 40, digits: [{ atSeconds: 6, digits: '1' }] },
      { name: 'hangup-during-notice', legs: 1, durationSeconds: 30, faults: { hangupAfterSeconds: 2 } },
      { name: 'hangup-before-recording', legs: 1, durationSeconds: 30, faults: { hangupAfterSeconds: 0 } },
      { name: 'notice-failed', legs: 2, durationSeconds: 30, faults: { consent: ['SystemException'] } },
    ],
  });
  const report = jsonReport(await runCalls(twin, scenario));
  calls = Object.fromEntries(report.calls.map((c) => [c.name, c]));
}, 120_000);
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

const brief = (actions: CallFlowAction[]) => actions.map((a) => `${a.type}/${a.leg}/${a.by}/${a.result}`);

it('each action has exactly the fields of the contract, in call time from the arrival', () => {
  for (const call of Object.values(calls)) {
    for (const a of call.actions) {
      expect(Object.keys(a).filter((k) => k !== 'errorType')).toEqual(['type', 'leg', 'by', 'atSeconds', 'endSeconds', 'result']);
      expect(a.atSeconds).toBeGreaterThanOrEqual(0);
      if (a.endSeconds !== null) expect(a.endSeconds).toBeGreaterThanOrEqual(a.atSeconds);
    }
    const starts = call.actions.map((a) => a.atSeconds);
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
  }
});

it('a bridged call: the application bridges, the recording starts on LEG-A after the bridge and speaks to both legs', () => {
  const c = calls.bridged!;
  expect(c.outcome).toBe('RECORDED');
  expect(c.bridged).toBe(true);
  expect(brief(c.actions).slice(0, 4)).toEqual([
    'CallAndBridge/LEG-A/app/SUCCEEDED',
    'StartCallRecording/LEG-A/recording/SUCCEEDED',
    'Speak/LEG-A/recording/SUCCEEDED',
    'Speak/LEG-B/recording/SUCCEEDED',
  ]);
  expect(c.actions[0]!.atSeconds).toBe(0);
  // The keypad controls' ReceiveDigits are the recording's; the far party's hangup after the caller's is the app's.
  expect(c.actions.filter((a) => a.type === 'ReceiveDigits').every((a) => a.by === 'recording')).toBe(true);
  expect(brief(c.actions).at(-1)).toBe('Hangup/LEG-B/app/SUCCEEDED');
  const bridge = c.actions[0]!;
  expect(c.recordingStartedAtSeconds).toBeGreaterThanOrEqual(bridge.endSeconds!);
  expect(c.recordingStartedAtSeconds).toBe(c.actions[1]!.endSeconds);
});

it("an IVR call: the menu is the application's, the caller's key is taken, the agent bridged, the call recorded", () => {
  const c = calls.ivr!;
  expect(c.outcome).toBe('RECORDED');
  expect(c.bridged).toBe(true);
  const menus = c.actions.filter((a) => a.type === 'SpeakAndGetDigits');
  expect(menus.length).toBeGreaterThan(0);
  expect(menus.every((a) => a.by === 'app' && a.leg === 'LEG-A')).toBe(true);
  expect(menus.at(-1)!.result).toBe('SUCCEEDED');
  const bridge = c.actions.findIndex((a) => a.type === 'CallAndBridge');
  expect(c.actions[bridge]).toMatchObject({ by: 'app', result: 'SUCCEEDED' });
  expect(c.actions.indexOf(menus.at(-1)!)).toBeLessThan(bridge);
  expect(c.actions.find((a) => a.type === 'StartCallRecording')).toMatchObject({ by: 'recording', result: 'SUCCEEDED' });
  expect(c.recordingStartedAtSeconds).not.toBeNull();
});

it('a hangup: the notice the caller hung up on is HUNG_UP; a call over before recording has no recording start', () => {
  const during = calls['hangup-during-notice']!;
  expect(during.bridged).toBe(false);
  expect(during.recordingStartedAtSeconds).not.toBeNull();
  expect(during.actions.find((a) => a.type === 'Speak')).toMatchObject({ by: 'recording', result: 'HUNG_UP', leg: 'LEG-A' });
  const before = calls['hangup-before-recording']!;
  expect(before.outcome).toBe('NOT_RECORDED');
  expect(before.recordingStartedAtSeconds).toBeNull();
  expect(before.bridged).toBe(false);
  expect(before.actions.some((a) => a.by === 'recording')).toBe(false);
  expect(before.actions.at(-1)!.result).toBe('HUNG_UP');
});

it('actions dropped from their list never ran: NOT_RUN (the notice to LEG-B after the one to LEG-A failed)', () => {
  const c = calls['notice-failed']!;
  expect(brief(c.actions).slice(2, 4)).toEqual(['Speak/LEG-A/recording/FAILED', 'Speak/LEG-B/recording/NOT_RUN']);
  expect(c.actions[2]!.errorType).toBe('SystemException');
  expect(c.actions[3]!.endSeconds).toBe(c.actions[3]!.atSeconds);
});
