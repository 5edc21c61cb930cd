/**
 * Completing the workflow's task for a recording action, wherever its token is: in the call's TransactionAttributes
 * (an update carried it: a retry, a control) or in the hand-off mailbox (the Lambda acted on its own: the policy's
 * start, the notice after a start, the call's end; mailbox.ts). A call uses the mailbox once the Lambda has started
 * its workflow or run its StartRecording (`m` in rw:own), so calls that record nothing never touch it.
 */
import { type MailboxSlot, MAILBOX_SLOTS } from '../shared/mailbox-contract';
import { type Command, TokenAttribute } from '../shared/workflow-contract';
import { attributesOf, type CallEventDeps } from './call-state';
import type { Handoff, TaskOutcome, Taken } from './mailbox';
import { readOwn } from './own-state';
import type { SmaEvent } from './sma-event';

const isSlot = (c: Command): c is MailboxSlot => (MAILBOX_SLOTS as readonly string[]).includes(c);

/** True when `command`'s task can be completed for this event (a token in the map, or the call's mailbox). */
export function hasTask(event: SmaEvent, deps: CallEventDeps, command: Command): boolean {
  const attributes = attributesOf(event);
  return Boolean(attributes[TokenAttribute[command]]) || usesMailbox(event, deps, command);
}

/** The call's workflow takes `command`'s outcome through the mailbox (no token of it in the map). */
export function usesMailbox(event: SmaEvent, deps: CallEventDeps, command: Command): boolean {
  const attributes = attributesOf(event);
  return !attributes[TokenAttribute[command]] && Boolean(deps.mailbox) && isSlot(command) && readOwn(attributes).m === 1;
}

/**
 * Completes `command`'s task with `outcome`. `via` says which way it went: a token from the map (`token`) must be
 * answered without a map (see afterCallback: the workflow's next update may race this answer); the mailbox's
 * (`mailbox`) may (the workflow's next step after a mailbox task is another mailbox task, not an update).
 */
export async function handOff(
  event: SmaEvent,
  deps: CallEventDeps,
  command: Command,
  outcome: TaskOutcome,
  taken?: Taken,
): Promise<{ result: Handoff | 'none'; via: 'token' | 'mailbox' | 'none' }> {
  const token = attributesOf(event)[TokenAttribute[command]];
  if (token) {
    const result =
      'ok' in outcome
        ? await deps.callbacks.succeed(token, outcome.ok, command)
        : await deps.callbacks.fail(token, outcome.error, outcome.cause, command);
    return { result, via: 'token' };
  }
  if (!deps.mailbox || !isSlot(command) || !usesMailbox(event, deps, command)) return { result: 'none', via: 'none' };
  return { result: await deps.mailbox.deliver(event.CallDetails.TransactionId, command, outcome, taken), via: 'mailbox' };
}
