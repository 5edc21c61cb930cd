/**
 * The twin's EventBridge, for the one rule the construct makes (issue 22): S3 "Object Created" events of the
 * recording bucket, matched by the rule's pattern and delivered to the state machine's StartExecution with the
 * rule's input transformer (statemachines/landing-event.ts: the same pattern and input as infra/). What it models,
 * from the docs:
 *   - the event: Amazon S3 user guide, "EventBridge event message structure" ("Object Created": version, id,
 *     detail-type, source aws.s3, account, time, region, resources [bucket ARN], detail {version, bucket {name},
 *     object {key, size, etag, version-id, sequencer}, request-id, requester, source-ip-address, reason});
 *   - delivery after the object exists ("Amazon S3 can send events to Amazon EventBridge whenever certain events
 *     happen in your bucket"): the notice comes once the PUT made the object readable (local/s3/object-created.ts);
 *   - latency: the docs give none; the twin delivers EVENT_DELIVERY_SECONDS (1 s, assumed) after the object exists, as
 *     a timer of the execution it starts: a later delivery only moves the reconciliation later, and a delivery in the
 *     PUT's own step would add a whole execution's first states to the busiest steps of a campaign (the recordings'
 *     landings), outside the clock's cap on the calls a step serves;
 *   - the target: "EventBridge ... starts an execution" with a name it chooses (the twin: a UUID from the seed);
 *     a throttled StartExecution is retried ("EventBridge retries ... for up to 24 hours and up to 185 times, with
 *     exponential back off and jitter", EventBridge user guide, "Event retry policy"): the twin waits 1, 2, 4 ... 60 s.
 * Each delivery is kept until the harness reads it (settled) and forgets it: the runner waits for the
 * reconciliation of its call's recordings before it reports the call.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { track, type Clock } from '../clock';
import type { SeededRandom } from '../random';
import type { StepFunctionsEngine } from '../stepfunctions';
import type { CreatedObject } from '../s3/object-created';
import { reconcileInputOf, type S3ObjectCreatedEvent } from '../../statemachines/landing-event';
import { matchesPattern } from './event-pattern';

const MAX_DELIVERY_ATTEMPTS = 185;
/** Assumed: seconds from the object's creation to the target's StartExecution (the docs give no figure). */
export const EVENT_DELIVERY_SECONDS = 1;

export interface LandingEventsOptions {
  clock: Clock;
  random: SeededRandom;
  sfn: SFNClient;
  engine: StepFunctionsEngine;
  stateMachineArn: string;
  pattern: Record<string, unknown>;
  region: string;
  account: string;
}

/** What became of one landing: the Reconcile execution it started, as it ended. */
export interface Reconciliation {
  executionArn: string;
  status: string;
  outcome: string | null;
  /** The Reconcile branch's result (its Succeed output, or the Cause of LANDED_LATE / UNKNOWN_RECORDING). */
  result: Record<string, unknown> | null;
}

export class LandingEvents {
  private readonly deliveries = new Map<string, Array<Promise<Reconciliation | undefined>>>();
  /** Events per object so far: an event's id (and its execution's name) follows from the object and this count, not arrival order. */
  private readonly seen = new Map<string, number>();
  /** Events sent to the target (matched), and deliveries that could not start an execution. */
  delivered = 0;
  failed = 0;

  constructor(private readonly o: LandingEventsOptions) {}

  /** The S3 twin's notice: made into S3's EventBridge event, matched, delivered. */
  readonly objectCreated = (object: CreatedObject): void => {
    const event = this.eventOf(object);
    if (!matchesPattern(this.o.pattern, event)) return;
    const id = `${object.bucket}/${object.key}`;
    const list = this.deliveries.get(id) ?? [];
    list.push(this.deliver(event));
    this.deliveries.set(id, list);
  };

  /** The reconciliations of every event for this object so far (none if no event matched). */
  async settled(bucket: string, key: string): Promise<Reconciliation[]> {
    const got = await Promise.all(this.deliveries.get(`${bucket}/${key}`) ?? []);
    return got.filter((r): r is Reconciliation => r !== undefined);
  }

  /** Drops what is kept for this object (long simulations). */
  forget(bucket: string, key: string): void {
    this.deliveries.delete(`${bucket}/${key}`);
    this.seen.delete(`${bucket}/${key}`);
  }

  private eventOf(o: CreatedObject): S3ObjectCreatedEvent {
    const id = `${o.bucket}/${o.key}`;
    const n = (this.seen.get(id) ?? 0) + 1;
    this.seen.set(id, n);
    const r = this.o.random.derive(`event:${id}#${n}`);
    const time = new Date(this.o.clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      version: '0',
      id: r.uuid(),
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: this.o.account,
      time,
      region: this.o.region,
      resources: [`arn:aws:s3:::${o.bucket}`],
      detail: {
        version: '0',
        bucket: { name: o.bucket },
        object: {
          key: o.key,
          size: o.size,
          etag: o.etag,
          ...(o.versionId ? { 'version-id': o.versionId } : {}),
          sequencer: this.o.clock.nowMs().toString(16).toUpperCase().padStart(16, '0'),
        },
        'request-id': r.uuid().replace(/-/g, '').slice(0, 16).toUpperCase(),
        requester: this.o.account,
        'source-ip-address': '127.0.0.1',
        reason: o.reason,
      },
    };
  }

  private async deliver(event: S3ObjectCreatedEvent): Promise<Reconciliation | undefined> {
    const name = this.o.random.derive(`execution:${event.id}`).uuid();
    const input = JSON.stringify(reconcileInputOf(event));
    await this.o.clock.sleep(EVENT_DELIVERY_SECONDS * 1000, undefined, { owner: name, label: 'events:deliver' });
    for (let attempt = 1; ; attempt++) {
      try {
        // Work in flight until StartExecution answers (not while the execution runs: it needs time to pass).
        const { executionArn } = await track(
          this.o.clock,
          this.o.sfn.send(new StartExecutionCommand({ stateMachineArn: this.o.stateMachineArn, name, input })),
        );
        this.delivered++;
        await this.o.engine.whenClosed(executionArn!);
        return reconciliationOf(this.o.engine.describeExecution({ executionArn: executionArn! }));
      } catch (e) {
        if ((e as Error).name !== 'ThrottlingException' || attempt >= MAX_DELIVERY_ATTEMPTS) {
          this.failed++;
          return undefined;
        }
        await this.o.clock.sleep(Math.min(60, 2 ** (attempt - 1)) * 1000, undefined, { owner: name, label: 'events:retry' });
      }
    }
  }
}

function reconciliationOf(d: { executionArn?: string; status?: string; output?: string; error?: string; cause?: string }): Reconciliation {
  const text = d.status === 'SUCCEEDED' ? d.output : d.cause;
  let result: Record<string, unknown> | null = null;
  try {
    const parsed = text ? (JSON.parse(text) as unknown) : null;
    if (parsed && typeof parsed === 'object') result = parsed as Record<string, unknown>;
  } catch {
    result = null;
  }
  const outcome = d.status === 'FAILED' ? (d.error ?? null) : typeof result?.outcome === 'string' ? result.outcome : null;
  return { executionArn: d.executionArn ?? '', status: d.status ?? 'UNKNOWN', outcome, result };
}
