/**
 * A scenario's `controls` and `optOutDigit` through the twin (local/scenario/runner.ts): each control reaches the
 * call at its virtual time from answer as an UpdateSipMediaApplicationCall made with requestRecordingControl
 * (Arguments command ControlRecording, the action, requestedBy, a requestId from the seed), and the opt-out key
 * is in the workflow's input. Whether the recording then pauses is the SMA Lambda's and workflow's business:
 * the emulator's own pause windows are tested in test/local/sma-recording-control.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import type { CallHandle } from '../../local/sma/types';
import { startTwin, type Twin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'scenario-controls-'));
let twin: Twin;
const handles = new Map<string, CallHandle>();

beforeAll(async () => {
  twin = await startTwin({ dataDir: dir, seed: 11 });
  const place = twin.emulator.placeCall.bind(twin.emulator);
  jest.spyOn(twin.emulator, 'placeCall').mockImplementation((spec) => {
    const handle = place(spec);
    handles.set(handle.transactionId, handle);
    return handle;
  });
}, 60_000);
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

it('sends each control at its time from answer, and puts optOutDigit in the workflow input', async () => {
  const calls = parseScenario({
    calls: [
      {
        name: 'paused',
        legs: 1,
        durationSeconds: 60,
        optOutDigit: '9',
        controls: [
          { atSeconds: 20, action: 'pause', requestedBy: 'agent-7' },
          { atSeconds: 35, action: 'resume' },
        ],
      },
      {
        name: 'hung-up-first',
        legs: 1,
        durationSeconds: 60,
        faults: { hangupAfterSeconds: 10 },
        controls: [{ atSeconds: 30, action: 'stop' }],
      },
    ],
  });
  const [paused, hungUp] = await runCalls(twin, calls);

  const handle = [...handles.values()].find((h) => paused!.executionName.endsWith(h.transactionId))!;
  const answeredAt = handle.connectedAtMs!;
  expect(paused!.answeredAtMs).toBe(answeredAt);
  expect(paused!.controls).toEqual([
    {
      atSeconds: 20,
      action: 'PAUSE',
      requestedBy: 'agent-7',
      requestId: expect.stringMatching(UUID),
      sentAtMs: answeredAt + 20_000,
      result: 'accepted',
    },
    {
      atSeconds: 35,
      action: 'RESUME',
      requestedBy: 'scenario',
      requestId: expect.stringMatching(UUID),
      sentAtMs: answeredAt + 35_000,
      result: 'accepted',
    },
  ]);
  expect(paused!.controls[0]!.requestId).not.toBe(paused!.controls[1]!.requestId);
  // The SMA Lambda got them as CALL_UPDATE_REQUESTED, the emulator's update delay after each request.
  const updates = handle.log
    .filter((r) => r.eventType === 'CALL_UPDATE_REQUESTED' && r.attempt === 1)
    .map((r) => ({ at: r.virtualMs - answeredAt, args: (r.event as any).ActionData.Parameters.Arguments }))
    .filter((u) => u.args.command === 'ControlRecording' && !u.args.taskToken);
  expect(updates).toEqual([
    {
      at: 20_200,
      args: { command: 'ControlRecording', action: 'PAUSE', requestedBy: 'agent-7', requestId: paused!.controls[0]!.requestId },
    },
    {
      at: 35_200,
      args: { command: 'ControlRecording', action: 'RESUME', requestedBy: 'scenario', requestId: paused!.controls[1]!.requestId },
    },
  ]);
  // Each recording of the call is in the result, with its pause windows (what a test compares with the manifest).
  expect(paused!.recordings.length).toBeGreaterThan(0);
  for (const r of paused!.recordings) expect(Array.isArray(r.pauses)).toBe(true);

  const arn = `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${paused!.executionName}`;
  const started = twin.engine.getExecution(arn).history[0] as { executionStartedEventDetails?: { input?: string } };
  expect(JSON.parse(started.executionStartedEventDetails!.input!)).toEqual(expect.objectContaining({ optOutDigit: '9' }));

  // A control due after the caller hung up is never sent.
  expect(hungUp!.controls).toEqual([
    { atSeconds: 30, action: 'STOP', requestedBy: 'scenario', requestId: expect.stringMatching(UUID), result: 'not sent' },
  ]);
}, 120_000);
