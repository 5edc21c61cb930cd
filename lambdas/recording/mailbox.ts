/**
 * The hand-off mailbox (issue 21): how the workflow and the SMA Lambda exchange a task token without an
 * UpdateSipMediaApplicationCall, the account's scarcest quota (5 per second, shared with the customer's own
 * application). The Lambda is invoked by the SMA anyway when the recording's own action reports; it only needs the
 * token of the task that waits for that report. So the workflow leaves the token in a small S3 object, a slot per
 * waiting task (`<prefix>/<transactionId>/<slot>.json`, written by a `s3:putObject.waitForTaskToken` task), and the
 * Lambda takes it when it has the outcome.
 *
 * Either side may come first, and neither may lose the other's write, so both write a slot only if it is empty
 * (S3 conditional writes, `If-None-Match: *`: "the upload fails with 412 Precondition Failed if an object with the
 * same key exists"):
 * - the workflow first: its token waits in the slot; the Lambda reads it, removes it, completes the task;
 * - the Lambda first: it leaves the outcome in the slot; the workflow's own write then fails with 412, and it reads
 *   the outcome from the slot instead of waiting (the ASL's Mailed states).
 * Nothing is polled and no outcome is lost when both write at the same moment: one of the two writes fails.
 *
 * The slot holds a bearer credential for minutes: the bucket is private, its objects expire, and the token is never
 * logged (only the slot's name is). Hand-written on purpose: this is the protocol, and each step is one SDK call.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logSafeId } from '../shared/mask';
import { logSafeError } from '../shared/log-safe-error';
import { type MailboxLocation, type MailboxSlot, type NoticeParams, noticeParamsOf, slotKey } from '../shared/mailbox-contract';
import { s3ClientOf, s3Sdk, type S3Source } from './s3-sdk';
import type { CallbackResult, TaskCallbacks } from './task-callbacks';

/** What a slot holds for the Lambda: a waiting task's token (and what the workflow sent along), or nothing yet. */
export type Taken =
  | { kind: 'token'; token: string; notice?: NoticeParams }
  | { kind: 'empty' }
  /** an outcome the Lambda left earlier that the workflow has not read yet */
  | { kind: 'occupied' }
  | { kind: 'unreadable' };

export type TaskOutcome = { ok: unknown } | { error: string; cause: string };

/** `mailed`: the outcome waits in the slot for the workflow; `occupied`: an earlier outcome still does (not sent). */
export type Handoff = CallbackResult | 'mailed' | 'occupied';

export class Mailbox {
  constructor(
    private readonly s3: S3Source,
    readonly location: MailboxLocation,
    private readonly callbacks: TaskCallbacks,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** The token the workflow left in `slot`, removed from it (a token is single-use; the slot may serve again). */
  async take(transactionId: string, slot: MailboxSlot): Promise<Taken> {
    const { GetObjectCommand, DeleteObjectCommand } = s3Sdk();
    const client = s3ClientOf(this.s3);
    const Key = slotKey(this.location, transactionId, slot);
    let body: string;
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key }));
      body = (await got.Body?.transformToString()) ?? '';
    } catch (e) {
      if ((e as Error).name === 'NoSuchKey' || (e as Error).name === 'NotFound') return { kind: 'empty' };
      this.log.error('hand-off mailbox: the slot could not be read', { slot, ...logSafeError(e) });
      this.count('MailboxErrors');
      return { kind: 'unreadable' };
    }
    let parsed: { taskToken?: unknown; notice?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      this.log.error('hand-off mailbox: the slot holds no JSON', { slot });
      this.count('MailboxErrors');
      return { kind: 'unreadable' };
    }
    if (typeof parsed?.taskToken !== 'string' || parsed.taskToken === '') return { kind: 'occupied' };
    try {
      await client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key }));
    } catch (e) {
      // The token is still good for this outcome; the workflow finds the spent one if it writes this slot again.
      this.log.warn('hand-off mailbox: the slot could not be emptied', { slot, ...logSafeError(e, parsed.taskToken) });
      this.count('MailboxErrors');
    }
    const notice = noticeParamsOf(parsed.notice);
    return { kind: 'token', token: parsed.taskToken, ...(notice ? { notice } : {}) };
  }

  /**
   * Hands `outcome` to the task waiting at `slot`: completes its token if the workflow left one (`taken`, when the
   * caller has read the slot already), else leaves the outcome in the slot for the workflow to read.
   */
  async deliver(transactionId: string, slot: MailboxSlot, outcome: TaskOutcome, taken?: Taken): Promise<Handoff> {
    let t = taken ?? (await this.take(transactionId, slot));
    for (let round = 0; round < 2; round++) {
      if (t.kind === 'token') {
        return 'ok' in outcome
          ? this.callbacks.succeed(t.token, outcome.ok, slot)
          : this.callbacks.fail(t.token, outcome.error, outcome.cause, slot);
      }
      if (t.kind === 'occupied') {
        this.log.warn('hand-off mailbox: an earlier outcome is still unread; this one is not sent', { slot });
        this.count('MailboxSlotsOccupied');
        return 'occupied';
      }
      if (t.kind === 'unreadable') return 'failed';
      const left = await this.leave(transactionId, slot, outcome);
      if (left !== 'exists') return left;
      t = await this.take(transactionId, slot); // the workflow wrote its token in between
    }
    return 'failed';
  }

  /** Writes the outcome into an empty slot: `exists` when something got there first. */
  private async leave(transactionId: string, slot: MailboxSlot, outcome: TaskOutcome): Promise<'mailed' | 'exists' | 'failed'> {
    const { PutObjectCommand } = s3Sdk();
    try {
      await s3ClientOf(this.s3).send(
        new PutObjectCommand({
          Bucket: this.location.bucket,
          Key: slotKey(this.location, transactionId, slot),
          Body: JSON.stringify('ok' in outcome ? { outcome: outcome.ok } : { error: outcome.error, cause: outcome.cause }),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      this.log.info('hand-off mailbox: outcome left for the workflow', { slot, transactionId: logSafeId(transactionId) });
      this.count('MailboxOutcomesLeft');
      return 'mailed';
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (e as Error).name === 'PreconditionFailed') return 'exists';
      this.log.error('hand-off mailbox: the outcome could not be left; the workflow times out into a named outcome', {
        slot,
        ...logSafeError(e),
      });
      this.count('MailboxErrors');
      return 'failed';
    }
  }

  private count(name: string): void {
    this.metrics.addMetric(name, MetricUnit.Count, 1);
  }
}
