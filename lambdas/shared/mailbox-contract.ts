/**
 * The hand-off mailbox's contract between the workflow (statemachines/recording-workflow.asl.json: the
 * AwaitRecordingStart, AwaitConsentNotice and WaitForCallEnd tasks and their Mailed states) and the SMA Lambda (lambdas/recording/mailbox.ts). Change a
 * name here and in the ASL together: test/statemachines/mailbox-paths.test.ts checks they agree.
 *
 * A slot is `<prefix>/<transactionId>/<slot>.json` in the mailbox bucket and holds one of:
 * - `{"taskToken": "...", "notice": {...}?}`: written by the workflow, a task waits for the outcome;
 * - `{"outcome": {...}}` or `{"error": "...", "cause": "..."}`: written by the Lambda, no task waited yet.
 */
import { bucketProblem, prefixProblem } from './recording-request';

/** The tasks that take their outcome through the mailbox (named as the commands that used to carry their token). */
export const MAILBOX_SLOTS = ['StartRecording', 'NotifyConsent', 'WaitForCallEnd'] as const;
export type MailboxSlot = (typeof MAILBOX_SLOTS)[number];

export interface MailboxLocation {
  bucket: string;
  /** without leading or trailing "/" */
  prefix: string;
}

export const slotKey = (location: MailboxLocation, transactionId: string, slot: MailboxSlot): string =>
  `${location.prefix}/${transactionId}/${slot}.json`;

/** "bucket/prefix" (RECORDING_MAILBOX); the prefix is required (the bucket's only use, but named in its policy). */
export function parseMailboxLocation(raw: string): MailboxLocation {
  const [bucket, ...rest] = raw.trim().split('/');
  const prefix = rest.join('/').replace(/\/+$/, '');
  const bucketIssue = bucketProblem(bucket ?? '');
  if (bucketIssue) throw new Error(`RECORDING_MAILBOX: ${bucketIssue}`);
  if (prefix === '') throw new Error('RECORDING_MAILBOX: must be "bucket/prefix" (a key prefix is required)');
  const prefixIssue = prefixProblem(prefix);
  if (prefixIssue) throw new Error(`RECORDING_MAILBOX: ${prefixIssue}`);
  return { bucket, prefix };
}

/**
 * The consent notice the Lambda plays right after the recording starts (so the workflow need not ask for it with
 * an update): sent along with the StartRecording token, in the slot or the update's Arguments.
 */
export interface NoticeParams {
  text: string;
  optOutDigit?: string;
  optOutSeconds?: string;
  voiceId?: string;
  languageCode?: string;
}

/** A NoticeParams from untrusted JSON (a slot, an attribute), or undefined. */
export function noticeParamsOf(raw: unknown): NoticeParams | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.text !== 'string' || r.text.trim() === '' || r.text.length > 1000) return undefined;
  const out: NoticeParams = { text: r.text };
  for (const k of ['optOutDigit', 'optOutSeconds', 'voiceId', 'languageCode'] as const)
    if (typeof r[k] === 'string' && r[k] !== '') out[k] = r[k] as string;
  return out;
}
