/** How `npm start` shows results: a live progress line, a table, and the `--json` document of the contract. */
import { table, terminalSafe } from '../../cli/format';
import type { CallResult } from './runner';

export function jsonReport(results: CallResult[], seed?: number) {
  return {
    ...(seed !== undefined ? { seed } : {}),
    calls: results.map((r) => ({
      name: r.name,
      executionName: r.executionName,
      status: r.status,
      outcome: r.outcome,
      lateRecording: r.lateRecording,
      startAttempts: r.startAttempts,
      recordingKey: r.recordingKey,
      manifestKey: r.manifestKey,
      durationMs: r.durationMs,
      actions: r.callFlow.actions,
      bridged: r.callFlow.bridged,
      recordingStartedAtSeconds: r.callFlow.recordingStartedAtSeconds,
    })),
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
  };
}

function formatCallTime(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The table shortens the ids in a key (uuid -> first 8 characters); --json and the files keep them whole. */
export function shortKey(key: string): string {
  return key.replace(/([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '$1…');
}

export function tableReport(results: CallResult[]): string {
  const rows = results.map((r) => [
    r.passed ? 'ok' : 'FAIL',
    r.name,
    r.outcome ?? r.status,
    String(r.startAttempts),
    r.recordingKey ? shortKey(r.recordingKey) : '-',
    `${formatCallTime(r.durationMs)} (${(r.wallMs / 1000).toFixed(2)}s real)`,
  ]);
  const header = ['', 'call', 'outcome', 'attempts', 'recording key', 'workflow time'];
  // table() escapes control characters in every cell: a call name is the scenario author's text.
  const out = [table(header, rows)];
  for (const r of results) if (!r.passed) out.push(terminalSafe(`FAIL ${r.name}: ${r.mismatch}`));
  return out.join('\n');
}

export function progressLine(done: number, total: number, counts: Map<string, number>): string {
  const parts = [...counts.entries()].sort().map(([k, v]) => `${k} ${v}`);
  return `calls ${done}/${total}${parts.length ? '  ' + parts.join('  ') : ''}`;
}
