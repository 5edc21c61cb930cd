/**
 * A scenario call's `controls`: each is sent at its time (virtual seconds from answer) the way an operator or an
 * application would, with requestRecordingControl through the real Chime SDK Voice client against the twin's
 * endpoint (UpdateSipMediaApplicationCall), so the request takes the whole real path: the Chime API twin, the
 * SMA emulator's CALL_UPDATE_REQUESTED, the SMA Lambda, the workflow.
 */
import type { ChimeSDKVoiceClient } from '@aws-sdk/client-chime-sdk-voice';
import { requestRecordingControl } from '../../lambdas/shared/recording-control';
import type { ControlAction } from '../../lambdas/shared/workflow-contract';
import type { Clock } from '../clock';
import type { SeededRandom } from '../random';
import type { ScenarioControl } from './scenario-file';

export interface ControlSent {
  atSeconds: number;
  action: ControlAction;
  requestedBy: string;
  /** Derived from the run's seed: the same seed sends the same ids. */
  requestId: string;
  /** Virtual ms the request was sent (absent if the call ended first). */
  sentAtMs?: number;
  /** "accepted" (the 202), the SDK error's name (e.g. NotFoundException: the call was over), or "not sent". */
  result: string;
}

export interface ControlSchedule {
  clock: Clock;
  chime: ChimeSDKVoiceClient;
  sipMediaApplicationId: string;
  transactionId: string;
  controls: readonly ScenarioControl[];
  /** Virtual ms the call was answered (the scenario's times count from there). */
  answeredAtMs: number;
  /** The call's own stream (control j's requestId is derived as `control:<j>`). */
  random: SeededRandom;
  /** Aborted when the call has ended: controls not yet sent are not sent. */
  signal: AbortSignal;
}

/**
 * Sends every control at its time; resolves with what became of each, in the scenario's order. One timer at a time,
 * in time order (ties in the scenario's order): a timer per control, all waiting at once, would each hang an abort
 * listener on the call's signal (Node warns past 10, and a call may have 50). Requests go out without waiting for
 * the one before, as independent operators' would.
 */
export async function sendControls(s: ControlSchedule): Promise<ControlSent[]> {
  const sent = s.controls.map(
    (control, j): ControlSent => ({
      atSeconds: control.atSeconds,
      action: control.action.toUpperCase() as ControlAction,
      requestedBy: control.requestedBy,
      requestId: s.random.derive(`control:${j}`).uuid(),
      result: 'not sent',
    }),
  );
  const order = sent.map((_, j) => j).sort((a, b) => sent[a].atSeconds - sent[b].atSeconds);
  const requests: Array<Promise<void>> = [];
  for (const j of order) {
    const item = sent[j];
    try {
      const dueMs = s.answeredAtMs + item.atSeconds * 1000 - s.clock.nowMs();
      // The call's TransactionId owns the timer: it is ordered with the call's own timers at the same instant.
      await s.clock.sleep(Math.max(0, dueMs), s.signal, { owner: s.transactionId, label: 'scenario:control' });
    } catch {
      break; // the call ended: this control and the later ones are not sent
    }
    item.sentAtMs = s.clock.nowMs();
    requests.push(
      requestRecordingControl(s.chime, { sipMediaApplicationId: s.sipMediaApplicationId, transactionId: s.transactionId, ...item }).then(
        () => void (item.result = 'accepted'),
        (err: unknown) => void (item.result = err instanceof Error ? err.name : String(err)),
      ),
    );
  }
  await Promise.all(requests);
  return sent;
}
