/**
 * A scenario call's `record` (issue 20's field): how its recording is started.
 *   {"by": "policy"}                   the SMA Lambda starts the workflow itself at answer (AUTO_RECORD=on)
 *   {"by": "demand", "atSeconds": 6}   StartExecution 6 virtual seconds after answer (an operator, the CLI)
 * Absent: today's behaviour, the runner's StartExecution at answer (the same as demand at 0 s).
 */
export type RecordMode = { by: 'policy' } | { by: 'demand'; atSeconds: number };

/** An on-demand start later than this after answer is not a test of the start any more (the call is 4 hours at most). */
export const MAX_DEMAND_SECONDS = 3600;

/** What a policy-recorded call cannot choose: the policy's settings apply (the twin's bucket, BOTH, the default notice). */
export const POLICY_FIXED_FIELDS = ['track', 'location', 'consentText', 'optOutDigit'] as const;

/**
 * Validates the `record` of scenario call `c` (at `at`, e.g. "calls[2]"); `fail(field, reason)` throws the
 * scenario's error.
 */
export function parseRecordMode(
  c: Record<string, unknown>,
  call: string,
  durationSeconds: number,
  fail: (field: string, reason: string) => never,
): RecordMode | undefined {
  const v = c.record;
  const at = `${call}.record`;
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail(at, 'must be {"by": "policy"} or {"by": "demand", "atSeconds": N}');
  const o = v as Record<string, unknown>;
  if (o.by === 'policy') {
    for (const k of Object.keys(o)) if (k !== 'by') fail(`${at}.${k}`, 'unknown field (allowed with "policy": by)');
    // The policy application is the bridge handler with AUTO_RECORD=on (local/twin/twin.ts).
    if (c.app === 'ivr') fail(`${at}.by`, '"policy" is for the bridge application (the twin runs the IVR example without AUTO_RECORD)');
    const fixed = POLICY_FIXED_FIELDS.find((k) => c[k] !== undefined);
    if (fixed) fail(`${call}.${fixed}`, 'not with record "policy" (the policy sets it: the twin\'s bucket, BOTH, the default notice)');
    return { by: 'policy' };
  }
  if (o.by === 'demand') {
    for (const k of Object.keys(o))
      if (k !== 'by' && k !== 'atSeconds') fail(`${at}.${k}`, 'unknown field (allowed with "demand": by, atSeconds)');
    const s = o.atSeconds ?? 0;
    const max = Math.min(MAX_DEMAND_SECONDS, durationSeconds);
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > max)
      fail(`${at}.atSeconds`, `must be a number in [0, ${max}] (within the call's durationSeconds), got ${JSON.stringify(s)}`);
    return { by: 'demand', atSeconds: s as number };
  }
  return fail(`${at}.by`, `must be "policy" or "demand", got ${JSON.stringify(o.by)}`);
}
