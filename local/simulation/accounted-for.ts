/**
 * Issue 22's campaign invariant, for one recording in the bucket once its call and its reconciliation have ended: it
 * is tagged, has a manifest beside it, and no verdict is contradicted by it.
 */
import type { AuditManifest } from '../../statemachines/summary';

/** `<key>.wav` -> `<key>.manifest.json`: where a recording's manifest is, the call's or the Reconcile branch's. */
export function manifestKeyOf(key: string): string {
  return `${key.replace(/\.wav$/i, '')}.manifest.json`;
}

/**
 * Issue 22's invariant for one recording in the bucket: it has a `recording-status` tag and a manifest beside it,
 * and no verdict is contradicted by it: the call's manifest names it with the call's outcome (its tag), or the
 * Reconcile branch's late manifest names the call's verdict as the original one and the tag it gave. The one
 * exception: a recording S3 would not let the workflow read (RECORDING_UNVERIFIED, or a declined caller's whose deletion
 * is reported NOT_VERIFIED) cannot be tagged; the call's manifest names it, unreadable.
 */
export interface BesideManifest {
  kind?: string;
  outcome?: string;
  recordingStatus?: string;
  call?: { originalVerdict?: string | null };
  /** The call's own manifest, amended by the Reconcile branch. */
  lateLanding?: { recordingStatus?: string; call?: { originalVerdict?: string | null } };
}

export async function checkAccountedFor(
  readManifest: (key: string) => Promise<BesideManifest | undefined>,
  key: string,
  tags: Record<string, string>,
  outcome: string | null,
  callManifest: AuditManifest | undefined,
  fail: (invariant: string, detail: string) => void,
): Promise<void> {
  const invariant = 'every object is tagged, has a manifest beside it, and no verdict it contradicts';
  const status = tags['recording-status'];
  const beside = await readManifest(manifestKeyOf(key));
  // The one object that cannot be tagged: one S3 refused to let the workflow read (RECORDING_UNVERIFIED, or a declined
  // caller's reported NOT_VERIFIED), named by its call's manifest as unreadable.
  const unreadable = callManifest?.recording?.key === key && callManifest.verification?.readable === false;
  if (!beside) {
    if (unreadable) return;
    return fail(invariant, `${key} has no manifest beside it (tag: ${status ?? 'none'}, outcome ${outcome})`);
  }
  if (status === undefined) {
    if (unreadable && beside.outcome === outcome) return;
    return fail(invariant, `${key} has no recording-status tag (outcome ${outcome})`);
  }
  const late = beside.kind === 'LATE_RECORDING' ? beside : beside.lateLanding;
  if (late) {
    if (late.call?.originalVerdict !== outcome)
      fail(invariant, `${key}: late manifest names the verdict ${late.call?.originalVerdict}, the call's is ${outcome}`);
    if (beside.lateLanding && beside.outcome !== outcome)
      fail(invariant, `${key}: the call's manifest says ${beside.outcome}, the call's outcome is ${outcome}`);
    if (late.recordingStatus !== status) fail(invariant, `${key}: tagged ${status}, its late manifest says ${late.recordingStatus}`);
    if (!/^(LANDED_|UNKNOWN_RECORDING$)/.test(status)) fail(invariant, `${key}: a late recording tagged ${status}`);
    return;
  }
  if (beside.outcome !== outcome) fail(invariant, `${key}: its manifest says ${beside.outcome}, the call's outcome is ${outcome}`);
  if (status !== outcome) fail(invariant, `${key} tagged ${status}, outcome ${outcome}`);
}
