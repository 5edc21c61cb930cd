/** `audit --holds`: each call's legal-hold records (cli/call-objects.ts), read from beside its manifest. */
import type { Connection } from '../clients';
import { holdRecordsOf } from '../call-objects';
import type { ExecutionSummary } from '../execution-summary';
import { table } from '../format';
import { mapPool } from '../pool';
import type { AuditRow } from '../rows';
import { s3ClientFor } from '../s3-access';

export async function attachHolds(conn: Connection, summaries: ExecutionSummary[], rows: AuditRow[], concurrency: number): Promise<void> {
  const bucketOf = new Map(summaries.map((s) => [s.executionArn, s.location?.split('/')[0]]));
  const s3 = s3ClientFor(conn);
  try {
    await mapPool(rows, concurrency, async (row) => {
      const bucket = bucketOf.get(row.executionArn);
      row.holds = bucket && row.manifestKey ? await holdRecordsOf(s3, bucket, row.manifestKey) : [];
    });
  } finally {
    s3.destroy();
  }
}

export function holdsText(rows: AuditRow[]): string {
  const held = rows.filter((r) => r.holds?.length);
  if (!held.length) return 'Legal holds: none\n\n';
  const lines = held.flatMap((r) =>
    (r.holds ?? []).map((h) => [r.transactionId ?? r.executionName, h.action, h.at, h.by, h.reason, String(h.versions)]),
  );
  const now = held.filter((r) => r.holds?.[r.holds.length - 1]?.action === 'HOLD').length;
  return `Legal holds (${now} call(s) held now)\n${table(['transaction', 'action', 'at', 'by', 'reason', 'versions'], lines)}\n\n`;
}
