/** The human rendering of one call's summary (status, and after start --wait / redrive --wait). */
import { FAIL_STATE_OUTCOMES, type ConsentNotice, type ExecutionSummary, type StartAttempt } from './execution-summary';
import { duration, fields, iso, oneLine, scrubText, table, truncate } from './format';

export function consentText(c: ConsentNotice | null): string {
  if (!c) return '-';
  const when = c.completedAt ?? c.at;
  const parts = [c.status];
  if (when) parts.push(`at ${when}`);
  if (c.attempts !== undefined && c.attempts > 1) parts.push(`after ${c.attempts} attempts`);
  if (c.error) parts.push(`(${c.error}${c.cause ? `: ${truncate(oneLine(c.cause), 100)}` : ''})`);
  return parts.join(' ');
}

/** "SystemException x2, InvalidActionParameter" */
export function attemptErrors(attempts: StartAttempt[]): string {
  const counts = new Map<string, number>();
  for (const a of attempts) if (a.error) counts.set(a.error, (counts.get(a.error) ?? 0) + 1);
  return [...counts].map(([e, n]) => (n > 1 ? `${e} x${n}` : e)).join(', ');
}

function attemptsTable(attempts: StartAttempt[]): string {
  const rows = attempts.map((a) => {
    const took = a.startedAt && a.endedAt ? duration(Date.parse(a.endedAt) - Date.parse(a.startedAt)) : '';
    return [`#${a.attempt}`, a.result, a.startedAt ?? '-', took, a.error ?? '', a.cause ? truncate(oneLine(a.cause), 80) : ''];
  });
  return table(['attempt', 'result', 'started', 'took', 'error', 'cause'], rows)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

export function summaryText(s: ExecutionSummary): string {
  const took = s.startDate && s.stopDate ? `, ${duration(Date.parse(s.stopDate) - Date.parse(s.startDate))}` : '';
  const failed = s.startAttempts.filter((a) => a.result === 'FAILED').length;
  const ended = s.startAttempts.filter((a) => a.result === 'CALL_ENDED').length;
  const counts = [failed ? `${failed} failed` : '', ended ? `${ended} call ended` : ''].filter(Boolean).join(', ');
  const pairs: Array<[string, string]> = [
    ['Execution', s.executionArn],
    ['Transaction', s.transactionId ?? '-'],
    ['Call', `${s.callId ?? '-'}  (SMA ${s.sipMediaApplicationId ?? '-'}, track ${s.track ?? '-'}, location ${s.location ?? '-'})`],
    ['Status', `${s.status}  (started ${iso(s.startDate)}${s.stopDate ? `, stopped ${iso(s.stopDate)}${took}` : ''})`],
    ['Outcome', s.outcome ?? (s.status === 'RUNNING' ? '(not yet: running)' : `(none: ${s.status}${s.error ? ` ${s.error}` : ''})`)],
  ];
  if (s.currentState && (s.status === 'RUNNING' || !s.outcome))
    pairs.push([s.status === 'RUNNING' ? 'Current state' : 'Stopped in', s.currentState]);
  if (s.error && s.error !== s.outcome) pairs.push(['Error', `${s.error}${s.cause ? `: ${truncate(oneLine(s.cause), 300)}` : ''}`]);
  else if (s.outcome === 'INVALID_INPUT' && s.cause) pairs.push(['Problems', oneLine(s.cause)]);
  pairs.push([
    'Start attempts',
    s.startAttempts.length === 0
      ? '0'
      : `${s.startAttempts.length}${counts ? ` (${counts}: ${attemptErrors(s.startAttempts)})` : ''}${s.detailsFrom === 'history' ? '  [from the history]' : ''}`,
  ]);
  const attempts = s.startAttempts.length ? `\n${attemptsTable(s.startAttempts)}` : '';
  const tail: Array<[string, string]> = [
    ['Consent notice', consentText(s.consentNotice)],
    ['Recording key', s.recordingKey ?? '-'],
    ['Manifest key', s.manifestKey ?? (s.manifestError ? `- (not written: ${JSON.stringify(s.manifestError)})` : '-')],
  ];
  if (s.verification && s.verification.passed === false && s.verification.failedChecks?.length) {
    const checks = s.verification.failedChecks.map(
      (c) => `${c.check} (got ${JSON.stringify(c.actual ?? null)}, expected ${JSON.stringify(c.expected ?? null)})`,
    );
    tail.push(['Failed checks', checks.join('; ')]);
  }
  if (s.verification && s.verification.landed === false)
    tail.push(['Verification', `recording never landed (${s.verification.error ?? 'unknown error'})`]);
  if (s.status !== 'RUNNING' && s.status !== 'SUCCEEDED') {
    const failState =
      s.outcome && FAIL_STATE_OUTCOMES.includes(s.outcome) && s.redrive.status === 'REDRIVABLE'
        ? ` (a redrive would re-enter the Fail state ${s.outcome})`
        : '';
    tail.push([
      'Redrive',
      `${s.redrive.status ?? '-'}${s.redrive.reason ? ` (${s.redrive.reason})` : ''}${failState}, redriven ${s.redrive.count} time(s)`,
    ]);
  } else if (s.redrive.count) tail.push(['Redrive', `redriven ${s.redrive.count} time(s), last at ${iso(s.redrive.date)}`]);
  // One label width for both halves (the attempts table sits between them) so the block reads as one.
  const width = Math.max(...pairs.map(([k]) => k.length), ...tail.map(([k]) => k.length));
  return scrubText(`${fields(pairs, width)}${attempts}\n${fields(tail, width)}`);
}
