/**
 * Asking a call's recording to pause, resume or stop, from outside the call flow: an operator (the CLI's
 * `pause|resume|stop`), or an application (its own code, another Lambda, a contact-centre desktop). The
 * request travels as the SMA expects any outside request: UpdateSipMediaApplicationCall, then a
 * CALL_UPDATE_REQUESTED to the SMA Lambda, which hands it to the recording workflow. The workflow decides
 * (pause while paused is reported, not sent), applies it with its own task, and audits it; the answer is in
 * its history (cli/commands/control.ts waits for it).
 */
import { type ChimeSDKVoiceClient, UpdateSipMediaApplicationCallCommand } from '@aws-sdk/client-chime-sdk-voice';
import { Arg, Command, type ControlAction, controlRequestProblem } from './workflow-contract';

export interface ControlRequestInput {
  sipMediaApplicationId: string;
  transactionId: string;
  action: ControlAction;
  /** Who asks: shown in the audit manifest (e.g. "agent:1234", "cli:alice"). */
  requestedBy: string;
  /** Echoed in the workflow's history; the CLI makes one (a UUID). */
  requestId: string;
}

/** The UpdateSipMediaApplicationCall Arguments of a control request; throws a RangeError naming a bad field. */
export function controlRequestArguments(input: Pick<ControlRequestInput, 'action' | 'requestedBy' | 'requestId'>): Record<string, string> {
  const bad = controlRequestProblem(input.action, input.requestedBy, input.requestId);
  if (bad) throw new RangeError(`${bad.field}: ${bad.problem}, got ${JSON.stringify(input[bad.field])}`);
  return {
    [Arg.command]: Command.ControlRecording,
    [Arg.action]: input.action,
    [Arg.requestedBy]: input.requestedBy,
    [Arg.requestId]: input.requestId,
  };
}

/**
 * Sends the request. Resolves once the SMA has accepted it (202); the SDK's errors are thrown as they are
 * (NotFoundException: the call is over or unknown). Whether the recording paused is the workflow's answer.
 */
export async function requestRecordingControl(chime: ChimeSDKVoiceClient, input: ControlRequestInput): Promise<void> {
  await chime.send(
    new UpdateSipMediaApplicationCallCommand({
      SipMediaApplicationId: input.sipMediaApplicationId,
      TransactionId: input.transactionId,
      Arguments: controlRequestArguments(input),
    }),
  );
}
