/**
 * The IVR's Lambda entry: the application's own handler, with recording added in one line. A middy handler
 * would use `middy(ivr).use(recording())` instead (docs/embedding.md).
 */
import { withRecording } from 'dependable-call-recording/middleware';
import { Command, renderDefinition } from 'dependable-call-recording/workflow';

interface SmaEvent {
  InvocationEventType: string;
  ActionData?: { InterruptedBy?: { Type?: string } };
  CallDetails: { Participants: Array<{ CallId: string; ParticipantTag: string }> };
}

/** The existing call flow (a stand-in): a menu on answer, and the same menu again after the recording's turn. */
async function ivr(event: SmaEvent) {
  const caller = event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A');
  const menu = { Type: 'Speak', Parameters: { CallId: caller?.CallId, Text: 'Welcome.' } };
  const resume = event.InvocationEventType === 'ACTION_INTERRUPTED' && event.ActionData?.InterruptedBy?.Type === 'CallRecording';
  return { SchemaVersion: '1.0', Actions: caller && (event.InvocationEventType === 'NEW_INBOUND_CALL' || resume) ? [menu] : [] };
}

export const handler = withRecording(ivr);

/** The workflow contract is importable too (e.g. to recognise the workflow's commands in logs). */
export const recordingCommands: readonly string[] = Object.values(Command);
export const workflowStates = (): string[] => Object.keys(renderDefinition().States as object);
