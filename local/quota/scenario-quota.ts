/**
 * A scenario file's top-level `quota`: the `--quota` text (`"update=5,activeCalls=2000"`, `"none"`), or the same
 * as an object (`{"update": 5, "startExecution": "1300/300", "activeCalls": 2000}`). Unnamed quotas keep the
 * twin's defaults (quotas.ts TWIN_DEFAULT_QUOTAS). `--quota` on the command line wins over the file.
 */
import { QuotaError, type QuotaSettings, parseQuota } from './quotas';

/** undefined: the file names no quota; null: "none". Throws QuotaError (its message names the part). */
export function scenarioQuota(raw: unknown): QuotaSettings | null | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const q = (raw as Record<string, unknown>).quota;
  if (q === undefined) return undefined;
  if (typeof q === 'string') return parseQuota(q);
  if (typeof q !== 'object' || q === null || Array.isArray(q))
    throw new QuotaError(JSON.stringify(q), 'must be a string like "update=5,activeCalls=2000" or an object like {"update": 5}');
  const parts = Object.entries(q).map(([k, v]) => {
    if (typeof v !== 'number' && typeof v !== 'string') throw new QuotaError(k, 'must be a number or "BUCKET/REFILL"');
    return `${k}=${v}`;
  });
  if (parts.length === 0) throw new QuotaError('{}', 'names no quota (use "none" for no quotas)');
  return parseQuota(parts.join(','));
}

/** Says what quotas a run has, for the tools' first line. */
export function describeQuota(q: QuotaSettings | null): string {
  if (!q) return 'quotas: none';
  const b = (x: { size: number; refill: number; slots?: unknown }) =>
    x.slots ? `${x.refill}/s, no burst` : x.size === x.refill ? `${x.refill}/s` : `bucket ${x.size}, refill ${x.refill}/s`;
  return `quotas (one account): UpdateSipMediaApplicationCall ${b(q.update)}, CreateSipMediaApplicationCall ${b(q.create)}, SMA active calls ${q.activeCalls}, StartExecution ${b(q.startExecution)}, SendTask* ${b(q.sendTask)}`;
}
