/**
 * S3 Object Lock's rules for one object version, as the twin's S3 applies them (Amazon S3 User Guide, "How S3 Object
 * Lock works"). Each returns why S3 would refuse (answered as 403 AccessDenied), or undefined when it allows.
 */
import type { LockMode, ObjectVersion } from './object-versions';

type Retention = { mode: LockMode; until: Date };

const active = (r: Retention | undefined, now: number): r is Retention => r !== undefined && r.until.getTime() > now;

/** DeleteObject with a versionId. */
export function deleteRefusal(v: ObjectVersion, bypassGovernance: boolean, now: number): string | undefined {
  // "A legal hold prevents an object version from being overwritten or deleted ... remains in effect until removed."
  if (v.legalHold) return 'legal hold';
  if (!active(v.retention, now)) return undefined;
  // "In compliance mode, a protected object version can't be overwritten or deleted by any user, including the root
  // user in your AWS account."
  if (v.retention.mode === 'COMPLIANCE') return 'COMPLIANCE retention';
  // "To override or remove governance-mode retention settings, you must have the s3:BypassGovernanceRetention
  // permission and must explicitly include x-amz-bypass-governance-retention:true as a request header".
  return bypassGovernance ? undefined : 'GOVERNANCE retention';
}

/** PutObjectRetention: from the version's current retention to `next` (undefined: removed). */
export function retentionChangeRefusal(
  current: Retention | undefined,
  next: Retention | undefined,
  bypassGovernance: boolean,
  now: number,
): string | undefined {
  if (!active(current, now)) return undefined;
  // "You can extend a retention period after you've applied a retention setting to an object version."
  const extends_ = next !== undefined && next.until.getTime() >= current.until.getTime();
  if (current.mode === 'COMPLIANCE') {
    // "When an object is locked in compliance mode, its retention mode can't be changed, and its retention period
    // can't be shortened."
    return extends_ && next.mode === 'COMPLIANCE'
      ? undefined
      : 'COMPLIANCE retention cannot be shortened, removed or changed to GOVERNANCE';
  }
  // Governance: "users can't overwrite or delete an object version or alter its lock settings unless they have special
  // permissions". Extending it (and raising it to COMPLIANCE) is read as not altering it away: the docs are silent on
  // the mode change, and taking it as allowed is the reading that keeps data longer.
  if (extends_) return undefined;
  return bypassGovernance ? undefined : 'GOVERNANCE retention cannot be shortened or removed without x-amz-bypass-governance-retention';
}
