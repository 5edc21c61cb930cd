/**
 * `hold` / `release`: PutObjectLegalHold ON or OFF on every version of a call's recording and manifest, then the
 * record of it, as its own object beside the manifest (`<manifest>.legal-holds/<time>-HOLD.json`): written once
 * (If-None-Match: *); in the versioned bucket a later write could only add a version, and only the erasure role may
 * delete versions (infra/records-governance.ts), so the record stays as written. `audit --holds` shows them.
 */
import { PutObjectLegalHoldCommand } from '@aws-sdk/client-s3';
import { type CallObjects, callObjectsOf, holdRecordsPrefix, writeOnce } from '../call-objects';
import type { CommandContext } from '../context';
import { EXIT_OK } from '../errors';
import { toJson } from '../format';
import { type KeyVersion, versionsOf } from '../object-versions';
import { s3ClientFor } from '../s3-access';
import { checkActor } from './erase-input';

export async function runLegalHold(
  ctx: CommandContext,
  action: 'HOLD' | 'RELEASE',
  ref: string,
  opts: { reason: string; by: string; json?: boolean },
  now: () => number,
): Promise<number> {
  const reason = checkActor(opts.reason, '--reason');
  const by = checkActor(opts.by, '--by');
  const conn = ctx.connection();
  const call: CallObjects = await callObjectsOf(conn, ref);
  const s3 = s3ClientFor(conn);
  try {
    const versions: KeyVersion[] = [];
    for (const key of [call.recordingKey, call.manifestKey]) {
      if (!key) continue;
      for (const v of await versionsOf(s3, call.bucket, key)) {
        if (v.deleteMarker) continue; // a delete marker has no data to hold
        await s3.send(
          new PutObjectLegalHoldCommand({
            Bucket: call.bucket,
            Key: key,
            VersionId: v.versionId,
            LegalHold: { Status: action === 'HOLD' ? 'ON' : 'OFF' },
          }),
        );
        versions.push(v);
      }
    }
    const at = new Date(now()).toISOString();
    const manifestKey = call.manifestKey ?? `${call.recordingKey}.manifest.json`;
    const record = {
      schemaVersion: '1',
      kind: 'legal-hold',
      action,
      transactionId: call.transactionId,
      at,
      by,
      reason,
      bucket: call.bucket,
      versions: versions.map((v) => ({ key: v.key, versionId: v.versionId })),
    };
    const recordKey = await writeOnce(s3, call.bucket, holdRecordsPrefix(manifestKey), `-${action}.json`, JSON.stringify(record, null, 2));
    const result = { transactionId: call.transactionId, action, versions: record.versions, record: recordKey };
    if (opts.json ?? ctx.globals.json) ctx.out(toJson(result));
    else
      ctx.out(
        `${action === 'HOLD' ? 'held' : 'released'} ${call.transactionId}: legal hold ${action === 'HOLD' ? 'ON' : 'OFF'} on ${versions.length} version(s) of ${new Set(versions.map((v) => v.key)).size} object(s)\nrecord: s3://${call.bucket}/${recordKey}`,
      );
    return EXIT_OK;
  } finally {
    s3.destroy();
  }
}
