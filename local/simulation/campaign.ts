/**
 * A simulation campaign: simulated calls (calls.ts) through one twin, each checked against the invariants as soon
 * as it ends, then forgotten (its objects deleted, its execution and call dropped), so memory stays flat over
 * tens of thousands of calls. Invariants:
 *   - every execution ends (the twin never goes idle with calls pending);
 *   - each outcome follows from the faults drawn (calls.ts expectedOf), and so do the start attempts where certain;
 *   - every recording that landed is tagged with its outcome, or named in the call's manifest;
 *   - one execution per transaction;
 *   - no task token (not even a 16-character piece of one) in any log line of the SMA Lambda or the emulator.
 */
import { ListObjectsCommand } from '@aws-sdk/client-s3';
import { track } from '../clock';
import { runCalls, type CallResult } from '../scenario/runner';
import type { CallHandle, CallSpec } from '../sma/types';
import { startTwin, type Twin } from '../twin/twin';
import { verifyDeadlineSeconds, DEFAULT_SETTINGS } from '../../statemachines/definition';
import { MANIFEST_SCHEMA_VERSION, parseManifest, type AuditManifest } from '../../statemachines/summary';
import { expectedOf, simulatedCall, type SimulatedCall } from './calls';
import { TokenWatch } from './token-watch';
import { type BesideManifest, checkAccountedFor, manifestKeyOf } from './accounted-for';
import { loadCall, type LoadOptions } from './load';
import { emptyLoadStats, type LoadStats } from './load-report';
import type { QuotaSettings } from '../quota/quotas';

export interface Violation {
  index: number;
  name: string;
  kinds: string[];
  invariant: string;
  detail: string;
}

export interface CampaignReport {
  seed: number;
  calls: number;
  outcomes: Record<string, number>;
  violations: Violation[];
  /** Recordings the Reconcile branch amended, by the tag they got (LANDED_LATE, LANDED_AFTER_START_FAILED, ...). */
  lateLandings: Record<string, number>;
  /** The Reconcile executions (one per recording landed), by outcome. */
  reconciled: Record<string, number>;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  /** Timer steps of the discrete-event clock. */
  steps: number;
  /** With quotas: what the load did (load-report.ts). */
  load?: LoadStats;
}

export interface CampaignOptions {
  seed: number;
  /** Which calls of the campaign to run (their indices). */
  indices: number[];
  dataDir: string;
  /** Calls in flight at once (bounds memory; the clock's steps bound the work per step). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** A load campaign: calls arriving in virtual time (load.ts). */
  load?: LoadOptions;
  /** This shard's part of the account's quotas (quotas.ts splitQuota); none: no quotas. */
  quota?: QuotaSettings;
}

export const DEADLINE_SECONDS = verifyDeadlineSeconds(DEFAULT_SETTINGS);

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const load = options.load;
  const calls = options.indices.map((i) =>
    load ? loadCall(options.seed, i, DEADLINE_SECONDS, load) : simulatedCall(options.seed, i, DEADLINE_SECONDS),
  );
  const stats = options.quota ? emptyLoadStats() : undefined;
  // Lines are checked as they are written, against every live token: the twin runs concurrent invocations
  // through one logger, so a line's transactionId is not to be trusted to say whose line it is.
  const watch = new TokenWatch();
  const leaks: Array<{ owner: string; line: string }> = [];
  const logSink = (line: string) => {
    const owner = watch.scan(line);
    if (owner !== undefined) leaks.push({ owner, line: line.slice(0, 160) });
  };
  const onTaskToken = (token: string, executionArn: string) => watch.add(token, executionArn);
  const twin = await startTwin({ dataDir: options.dataDir, seed: options.seed, logSink, onTaskToken, quota: options.quota });
  const violations: Violation[] = [];
  const outcomes: Record<string, number> = {};
  const lateLandings: Record<string, number> = {};
  const reconciled: Record<string, number> = {};
  const handles = new Map<string, CallHandle>();
  const starts = new Map<string, number>();
  const pendingChecks = new Set<Promise<void>>();
  const pending = new Set<string>();

  // Seen from outside the workflow: the calls placed and the executions started, per transaction.
  const place = twin.emulator.placeCall.bind(twin.emulator);
  twin.emulator.placeCall = (spec: CallSpec) => {
    const handle = place(spec);
    handles.set(handle.transactionId, handle);
    pending.add(handle.transactionId);
    return handle;
  };
  const startExecution = twin.engine.startExecution.bind(twin.engine);
  // Executions made, not requests: a repeated StartExecution with the same name and input (the Lambda's policy start
  // on a duplicated SMA event) is Step Functions' idempotent answer with the same execution.
  const known = new Set<string>();
  twin.engine.startExecution = (input) => {
    const out = startExecution(input);
    const tx = String((JSON.parse(input.input ?? '{}') as { transactionId?: unknown }).transactionId);
    if (!known.has(out.executionArn)) starts.set(tx, (starts.get(tx) ?? 0) + 1);
    known.add(out.executionArn);
    return out;
  };
  const callByTx = new Map(calls.map((c) => [twin.random.derive(`sim:${c.index}`).uuid(), c] as const));
  const callByName = new Map(calls.map((c) => [c.name, c] as const));
  // Idle with calls pending and no timer left: nothing will ever end them. Report them, and close the twin so
  // the run itself ends (closing ends every call and execution).
  let stalled: string[] = [];
  twin.clock.onStall = () => {
    if (pending.size === 0 || stalled.length > 0) return;
    stalled = [...pending];
    twin.engine.close();
    void twin.emulator.close();
  };

  // A JSON object's text once it parses. On a loaded machine the S3 twin may answer a PUT before its file holds every
  // byte (local/s3/server.ts untilOnDisk is a bounded wait): a manifest read at once, as its execution ends, can be
  // short. The harness waits for the write (wall time; virtual time stands still meanwhile), at most about 2 s.
  const settledText = async (bucket: string, key: string): Promise<string | undefined> => {
    for (let i = 0; ; i++) {
      const text = (await twin.s3Direct.getObject(bucket, key))?.toString('utf8');
      if (text === undefined || i >= 100) return text;
      try {
        JSON.parse(text);
        return text;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const check = async (call: SimulatedCall, result: CallResult): Promise<void> => {
    const tx = result.executionName;
    const fail = (invariant: string, detail: string) =>
      violations.push({ index: call.index, name: call.name, kinds: call.kinds, invariant, detail });
    const key = result.outcome ?? result.status;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
    const throttled = twin.account?.throttledCalls.has(tx) ?? false;
    if (stats && twin.account) {
      if (noteLoad(stats, result, twin.account.updatesByCall.get(tx), throttled, call.expect.outcome) === 'unstarted') {
        twin.account.forgetCall(tx);
        if (handles.has(tx)) twin.emulator.forget(tx);
        handles.delete(tx);
        return;
      }
      twin.account.forgetCall(tx);
    }
    if (result.status === 'RUNNING') fail('every execution ends', 'still RUNNING after its call ended');
    if ((starts.get(tx) ?? 0) !== 1) fail('one execution per transaction', `${starts.get(tx) ?? 0} executions started`);

    const handle = handles.get(tx);
    const keys: string[] = [];
    let manifest: AuditManifest | undefined;
    if (result.manifestKey) {
      keys.push(result.manifestKey);
      try {
        const text = await settledText(twin.bucket, result.manifestKey);
        if (text === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
        manifest = parseManifest(text);
        if (!manifest)
          fail(
            'every landed recording is tagged or named in a manifest',
            `manifest ${result.manifestKey} is not a schema ${MANIFEST_SCHEMA_VERSION} manifest`,
          );
      } catch (e) {
        fail('every landed recording is tagged or named in a manifest', `manifest ${result.manifestKey} unreadable: ${(e as Error).name}`);
      }
    }
    // A call whose end the workflow learned late (its WaitForCallEnd update was lost: the call ended before the SMA
    // delivered it, and the next check found no call) has its delivery deadline counted from then.
    const learnedLate = manifest?.callEnd?.endedBefore !== undefined;
    const expected =
      learnedLate && call.faults.deliveryDelaySeconds !== undefined
        ? expectedOf({ ...call, faults: { ...call.faults, deliveryDelaySeconds: 0 } }, DEADLINE_SECONDS)
        : call.expect;
    // A call the account throttled may end otherwise than its faults say: counted (stats), not a broken invariant.
    if (call.expect.uncertain) {
      // the verdict races the delays drawn (issue 22): only the invariants below, which hold whatever it is
    } else if (
      throttled &&
      (result.outcome !== expected.outcome || result.startAttempts !== (expected.startAttempts ?? result.startAttempts))
    ) {
      // counted in noteLoad
    } else if (result.outcome !== expected.outcome)
      fail('the outcome follows from the faults', `${result.outcome ?? result.status}, expected ${expected.outcome}`);
    else if (expected.startAttempts !== undefined && result.startAttempts !== expected.startAttempts) {
      fail('the outcome follows from the faults', `${result.startAttempts} start attempts, expected ${expected.startAttempts}`);
    }
    const reconciliations = result.reconciliations;
    for (const r of reconciliations) {
      reconciled[r.outcome ?? r.status] = (reconciled[r.outcome ?? r.status] ?? 0) + 1;
      if (r.status === 'RUNNING') fail('every execution ends', `the Reconcile execution ${r.executionArn} is still RUNNING`);
    }
    for (const rec of handle?.recordings ?? []) {
      if (rec.status !== 'delivered') continue;
      keys.push(rec.key);
      const mine = reconciliations.filter((r) => (r.result as { key?: unknown } | null)?.key === rec.key);
      const late = mine.find((r) => r.outcome !== 'RECORDING_ACCOUNTED_FOR');
      if (late) {
        const status = String((late.result as { recordingStatus?: unknown }).recordingStatus);
        lateLandings[status] = (lateLandings[status] ?? 0) + 1;
      }
      const tags = await twin.s3Direct.getTags(rec.bucket, rec.key);
      if (!tags) {
        // Gone: only right when a workflow deleted it (a caller who declined) and a manifest says so: the call's, or
        // the Reconcile branch's for a recording that landed after the call's verdict.
        const deletion = manifest?.optOut?.deletion;
        if (manifest?.recording?.key === rec.key && deletion?.status === 'DELETED') continue;
        if (late?.outcome === 'LATE_RECORDING_DELETED') {
          keys.push(manifestKeyOf(rec.key));
          continue;
        }
        throw Object.assign(new Error(`${rec.key} delivered but not in the bucket`), { name: 'NoSuchKey' });
      }
      // A caller who declined (policy DELETE): nothing of theirs stays (a recording that landed late included) unless
      // the workflow reported it not deleted (OptedOutRecordingNotDeleted: alarmed, the manifest says why, e.g. S3
      // refused the read).
      const reported = ['NOT_VERIFIED', 'FAILED'].includes(manifest?.optOut?.deletion?.status ?? '');
      const lateDeletionFailed = (late?.result as { deletion?: { status?: string } } | undefined)?.deletion?.status === 'FAILED';
      if (result.outcome === 'OPTED_OUT' && manifest?.optOut?.policy === 'DELETE' && !reported && !lateDeletionFailed)
        fail(
          'a declined caller’s recording does not stay unreported',
          `${rec.key} is still in the bucket (deletion: ${manifest.optOut.deletion?.status ?? 'none'})`,
        );
      const readManifest = async (k: string) => {
        const text = await settledText(rec.bucket, k);
        return text === undefined ? undefined : (JSON.parse(text) as BesideManifest);
      };
      await checkAccountedFor(readManifest, rec.key, tags, result.outcome, manifest, fail);
      if (manifestKeyOf(rec.key) !== result.manifestKey) keys.push(manifestKeyOf(rec.key));
    }
    for (const r of reconciliations) twin.engine.forgetExecution(r.executionArn);
    for (const rec of handle?.recordings ?? []) twin.landings.forget(rec.bucket, rec.key);

    const arn = `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${tx}`;
    for (const leak of leaks.splice(0)) {
      const leakCall = callByTx.get(leak.owner.slice(leak.owner.lastIndexOf(':') + 1));
      violations.push({
        index: leakCall?.index ?? -1,
        name: leakCall?.name ?? '-',
        kinds: leakCall?.kinds ?? [],
        invariant: 'no task token in any log line',
        detail: `a piece of a task token of this call: ${leak.line}…`,
      });
    }
    watch.forget(arn);

    // Forget the call: memory and disk stay flat however long the campaign.
    if (keys.length) await twin.s3Direct.deleteObjects(twin.bucket, keys);
    twin.engine.forgetExecution(arn);
    known.delete(arn);
    twin.emulator.forget(tx);
    handles.delete(tx);
    starts.delete(tx);
  };

  let peakRss = process.memoryUsage().rss;
  let done = 0;
  try {
    await runCalls(twin, calls, {
      // Arriving calls wait in virtual time: every one is in the pool from the start.
      concurrency: load ? calls.length : (options.concurrency ?? 200),
      ...(load ? { arrivalMsOf: (c) => (c as SimulatedCall & { arrivalMs: number }).arrivalMs } : {}),
      keyOf: (c) => `sim:${(c as SimulatedCall).index}`,
      onResult: (result, _d, total) => {
        const call = callByName.get(result.name)!;
        pending.delete(result.executionName);
        if (stalled.length > 0) return options.onProgress?.(++done, total);
        // Tracked: the checks read the store without HTTP, and virtual time stands still while they do, as it did
        // for their requests.
        const p = track(twin.clock, check(call, result))
          .catch(
            (e) =>
              void violations.push({
                index: call.index,
                name: call.name,
                kinds: call.kinds,
                invariant: 'the twin answers',
                detail: String(e),
              }),
          )
          .finally(() => {
            pendingChecks.delete(p);
            options.onProgress?.(++done, total);
            peakRss = Math.max(peakRss, process.memoryUsage().rss);
          });
        pendingChecks.add(p);
      },
    });
    await Promise.all(pendingChecks);
    for (const tx of stalled) {
      const call = callByTx.get(tx);
      violations.push({
        index: call?.index ?? -1,
        name: call?.name ?? tx,
        kinds: call?.kinds ?? [],
        invariant: 'every execution ends',
        detail: `the twin went idle with transaction ${tx} still pending`,
      });
    }
    if (stalled.length > 0) return report();
    // Nothing left behind: every call forgotten, nothing left in the bucket but late arrivals of forgotten calls.
    // (The caller index's entries stay: they are the erasure index, not recordings.)
    const left = await leftInBucket(twin);
    for (const o of left) {
      violations.push({
        index: -1,
        name: '-',
        kinds: [],
        invariant: 'every landed recording is tagged or named in a manifest',
        detail: `${o.Key} landed after its call was checked`,
      });
    }
  } finally {
    await twin.close();
  }
  return report();

  function report(): CampaignReport {
    const cpu = process.cpuUsage(cpu0);
    return {
      seed: options.seed,
      calls: calls.length,
      outcomes,
      violations,
      lateLandings,
      reconciled,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMb: Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 1e6),
      steps: twin.clock.steps,
      ...(stats && twin.account
        ? {
            load: {
              ...stats,
              updatesBySecond: [...twin.account.updatesBySecond],
              throttled: { ...twin.account.throttled },
              rejectedCalls: twin.account.rejectedCalls,
            },
          }
        : {}),
    };
  }
}

/** Adds a call's load figures to `stats`; 'unstarted' when the call has no workflow (refused, or never started). */
function noteLoad(
  stats: LoadStats,
  result: CallResult,
  updates: number | undefined,
  throttled: boolean,
  expected: string,
): 'started' | 'unstarted' {
  if (result.status === 'REJECTED') return 'unstarted';
  stats.updates.calls++;
  stats.updates.sum += updates ?? 0;
  stats.updates.max = Math.max(stats.updates.max, updates ?? 0);
  const summary = typeof result.summary === 'object' ? result.summary : undefined;
  const startThrottled =
    (result.status === 'NOT_STARTED' && throttled) ||
    (result.outcome === 'START_FAILED' && (summary?.startAttempts ?? []).some((a) => /Thrott/.test(a.error ?? '')));
  if (startThrottled) stats.startFailedByThrottling++;
  if (throttled && (result.outcome ?? result.status) !== expected) stats.changedByThrottling++;
  const started = Math.min(...result.recordings.map((r) => r.startedAtMs));
  if (result.answeredAtMs !== undefined && Number.isFinite(started))
    stats.answerToStartMs[result.recordBy].push(started - result.answeredAtMs);
  return result.status === 'NOT_STARTED' ? 'unstarted' : 'started';
}

/** Up to 5 recordings or manifests still in the twin's bucket (paging past the caller index's entries). */
async function leftInBucket(twin: Twin): Promise<Array<{ Key?: string }>> {
  const found: Array<{ Key?: string }> = [];
  let Marker: string | undefined;
  do {
    const page = await twin.s3.send(new ListObjectsCommand({ Bucket: twin.bucket, Marker }));
    for (const o of page.Contents ?? []) if (/\.(wav|manifest\.json)$/.test(o.Key ?? '') && found.length < 5) found.push(o);
    Marker = page.IsTruncated ? page.Contents?.at(-1)?.Key : undefined;
  } while (Marker && found.length < 5);
  return found;
}
