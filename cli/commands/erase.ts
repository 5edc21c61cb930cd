/**
 * `erase --caller +E164`: a caller's erasure request (GDPR art. 17). The caller's calls are found through the caller
 * index the workflow writes (<index>/<HMAC of the number>/<day>/<TransactionId>.json; the HMAC key is read from
 * Secrets Manager, the twin's with --local), never by the number itself. For each call, every version of its
 * recording and manifest is deleted, unless one is locked: a legal hold, an unexpired COMPLIANCE retention, or an
 * unexpired GOVERNANCE retention without --bypass-governance refuse the whole call, and the refusal names why. The
 * index entry of an erased call goes too, so a second run erases nothing more and says so. An erasure record (what,
 * which versions, when, by whom, why, what was refused; no phone number) is written beside the index, once.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { writeOnce } from '../call-objects';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { callerKey } from '../../lambdas/shared/caller-key';
import type { CommandContext } from '../context';
import { CliError, EXIT_FAILED, EXIT_OK, usageError } from '../errors';
import { toJson } from '../format';
import { type KeyVersion, lockOf, versionsOf } from '../object-versions';
import { callerIndexFor, callerKeySecretFor, s3ClientFor, secretsClientFor } from '../s3-access';
import { checkActor, checkCaller, checkDay } from './erase-input';

export interface EraseOptions {
  caller?: string;
  from?: string;
  to?: string;
  by?: string;
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
  bypassGovernance?: boolean;
  callerKeySecret?: string;
  index?: string;
}

interface Erased {
  transactionId: string;
  keys: string[];
  versions: Array<{ key: string; versionId: string }>;
}
interface Refused {
  transactionId: string;
  reason: string;
}

export async function runErase(ctx: CommandContext, opts: EraseOptions, now: () => number): Promise<number> {
  const caller = checkCaller(opts.caller);
  const by = checkActor(opts.by, '--by');
  const reason = checkActor(opts.reason, '--reason');
  const from = checkDay(opts.from, '--from');
  const to = checkDay(opts.to, '--to');
  if (from && to && from > to) throw usageError(`--from (${from}) must not be after --to (${to})`);
  const conn = ctx.connection();
  const index = callerIndexFor(conn, opts.index, ctx.env);
  const secretId = callerKeySecretFor(conn, opts.callerKeySecret, ctx.env);
  const s3 = s3ClientFor(conn);
  const secrets = secretsClientFor(conn);
  try {
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!secret.SecretString) throw new CliError(`secret ${secretId} has no SecretString`);
    const hmac = callerKey(secret.SecretString, caller);
    const entries = await indexEntries(s3, index, hmac, from, to);
    const erased: Erased[] = [];
    const refused: Refused[] = [];
    const failed: Refused[] = [];
    for (const entry of entries) {
      const call = await readEntry(s3, index.bucket, entry);
      const keys = [call.recordingKey, call.manifestKey].filter((k): k is string => typeof k === 'string');
      const versions: KeyVersion[] = [];
      for (const key of keys) versions.push(...(await versionsOf(s3, call.bucket, key)));
      const locks = new Map<string, string>();
      const why = await refusalOf(s3, call.bucket, versions, opts.bypassGovernance === true, now(), locks);
      if (why) {
        refused.push({ transactionId: call.transactionId, reason: why });
        continue;
      }
      const done: Erased = {
        transactionId: call.transactionId,
        keys,
        versions: versions.map((v) => ({ key: v.key, versionId: v.versionId })),
      };
      if (opts.dryRun) {
        erased.push(done);
        continue;
      }
      const problem = await deleteAll(s3, call.bucket, versions, opts.bypassGovernance === true, locks);
      if (problem) {
        (problem.refused ? refused : failed).push({ transactionId: call.transactionId, reason: problem.reason });
        continue;
      }
      // The index entry goes last: a call whose deletion failed stays findable for the next request.
      await deleteAll(s3, index.bucket, await versionsOf(s3, index.bucket, entry.key), false, new Map());
      erased.push(done);
    }
    const at = new Date(now()).toISOString();
    let record: string | null = null;
    if (!opts.dryRun) {
      const body = {
        schemaVersion: '1',
        kind: 'erasure',
        at,
        by,
        reason,
        range: { from: from ?? null, to: to ?? null },
        bypassGovernance: opts.bypassGovernance === true,
        erased,
        refused,
        failed,
        note: 'the caller is not named here: the index found the calls by a keyed hash of the number, which this record does not keep',
      };
      record = await writeOnce(s3, index.bucket, recordsPrefix(index.prefix), '.json', JSON.stringify(body, null, 2));
    }
    const result = { erased, refused, ...(failed.length ? { failed } : {}), record, ...(opts.dryRun ? { dryRun: true } : {}) };
    if (opts.json ?? ctx.globals.json) ctx.out(toJson(result));
    else ctx.out(text(result, index.bucket, entries.length));
    return failed.length ? EXIT_FAILED : EXIT_OK;
  } finally {
    s3.destroy();
    secrets.destroy();
  }
}

/** `caller-index` -> `erasure-records/`; `a/caller-index` -> `a/erasure-records/`. */
function recordsPrefix(indexPrefix: string): string {
  const parent = indexPrefix.includes('/') ? indexPrefix.slice(0, indexPrefix.lastIndexOf('/') + 1) : '';
  return `${parent}erasure-records/`;
}

interface IndexEntry {
  key: string;
  day: string;
}

async function indexEntries(
  s3: S3Client,
  index: { bucket: string; prefix: string },
  hmac: string,
  from?: string,
  to?: string,
): Promise<IndexEntry[]> {
  const prefix = `${index.prefix}/${hmac}/`;
  const out: IndexEntry[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: index.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const day = o.Key?.slice(prefix.length, prefix.length + 10) ?? '';
      if (!o.Key || !/^\d{4}-\d{2}-\d{2}$/.test(day)) continue;
      if ((from && day < from) || (to && day > to)) continue;
      out.push({ key: o.Key, day });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

async function readEntry(s3: S3Client, bucket: string, entry: IndexEntry) {
  const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: entry.key }))).Body?.transformToString();
  const e = JSON.parse(body ?? '{}') as { transactionId?: unknown; bucket?: unknown; recordingKey?: unknown; manifestKey?: unknown };
  if (typeof e.transactionId !== 'string' || typeof e.bucket !== 'string')
    throw new CliError(`index entry ${entry.key} is not one the workflow wrote`);
  return {
    transactionId: e.transactionId,
    bucket: e.bucket,
    recordingKey: typeof e.recordingKey === 'string' ? e.recordingKey : null,
    manifestKey: typeof e.manifestKey === 'string' ? e.manifestKey : null,
  };
}

/** Why the call may not be erased (its first locked version), or undefined; `locks` gets each version's lock. */
async function refusalOf(
  s3: S3Client,
  bucket: string,
  versions: KeyVersion[],
  bypass: boolean,
  nowMs: number,
  locks: Map<string, string>,
): Promise<string | undefined> {
  let why: string | undefined;
  for (const v of versions) {
    const lock = await lockOf(s3, bucket, v);
    const where = `${v.key} (version ${v.versionId})`;
    const until = lock.retainUntil?.toISOString();
    if (lock.legalHold) locks.set(v.versionId, `legal hold on ${where}`);
    else if (until && lock.mode === 'COMPLIANCE') locks.set(v.versionId, `COMPLIANCE retention until ${until} on ${where}`);
    else if (until && lock.mode === 'GOVERNANCE')
      locks.set(v.versionId, `GOVERNANCE retention until ${until} on ${where}${bypass ? '' : ' (--bypass-governance not given)'}`);
    const expired = lock.retainUntil !== undefined && lock.retainUntil.getTime() <= nowMs;
    if (!why && (lock.legalHold || (!expired && until && (lock.mode === 'COMPLIANCE' || !bypass)))) why = locks.get(v.versionId);
  }
  return why;
}

/**
 * Deletes every version; stops at the first S3 refuses (AccessDenied: a lock S3's clock still holds, which this
 * machine's clock took for expired, or no permission), naming the version's lock when it has one.
 */
async function deleteAll(
  s3: S3Client,
  bucket: string,
  versions: KeyVersion[],
  bypass: boolean,
  locks: Map<string, string>,
): Promise<{ refused: boolean; reason: string } | undefined> {
  for (const v of versions) {
    try {
      await s3.send(
        new DeleteObjectCommand({
          Bucket: bucket,
          Key: v.key,
          VersionId: v.versionId,
          ...(bypass ? { BypassGovernanceRetention: true } : {}),
        }),
      );
    } catch (e) {
      const name = (e as Error).name;
      const lock = locks.get(v.versionId);
      const reason = lock
        ? `${lock}: S3 refused the deletion (${name})`
        : `S3 refused to delete ${v.key} (version ${v.versionId}): ${name}`;
      return { refused: name === 'AccessDenied' || name === 'AccessDeniedException', reason };
    }
  }
  return undefined;
}

function text(
  result: { erased: Erased[]; refused: Refused[]; failed?: Refused[]; record: string | null; dryRun?: boolean },
  bucket: string,
  found: number,
): string {
  const lines: string[] = [];
  const verb = result.dryRun ? 'would erase' : 'erased';
  if (found === 0) lines.push('nothing to erase: no indexed call of this caller in the range (erased before, or never indexed)');
  else if (result.erased.length === 0) lines.push(`erased nothing more: ${result.refused.length} call(s) refused`);
  for (const e of result.erased) lines.push(`${verb}   ${e.transactionId}  ${e.versions.length} version(s) of ${e.keys.length} object(s)`);
  for (const r of result.refused) lines.push(`refused  ${r.transactionId}  ${r.reason}`);
  for (const f of result.failed ?? []) lines.push(`FAILED   ${f.transactionId}  ${f.reason}`);
  lines.push(result.record ? `record: s3://${bucket}/${result.record}` : 'record: none (dry run)');
  return lines.join('\n');
}
