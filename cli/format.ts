/**
 * Output helpers shared by the commands: aligned text tables, CSV, durations and timestamps, and the two
 * scrubbers every printed value goes through (task tokens redacted, phone numbers masked).
 */
import { maskPhoneNumber } from '../lambdas/shared/mask';

/**
 * Control characters (C0, DEL, C1) and the bidirectional controls that reorder what a terminal shows, escaped as
 * JavaScript would write them (`\x1b`, `\u202e`): a value printed in a table is data, and an escape sequence in a
 * call name must not clear the screen, move the cursor or forge rows.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Left-aligned columns separated by two spaces; trailing blanks trimmed (diff-friendly, no box drawing). Cells are terminalSafe. */
export function table(header: string[], plainRows: string[][]): string {
  const rows = plainRows.map((r) => r.map((c) => terminalSafe(c ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** "Label   value" lines with the labels padded to one width. */
export function fields(pairs: Array<[string, string]>, width = Math.max(...pairs.map(([k]) => k.length))): string {
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n');
}

/**
 * RFC 4180 quoting: a field is quoted when it holds a comma, quote, CR or LF, and quotes are doubled. That is
 * the whole of CSV writing, so a library would add a dependency for ten lines. A leading = + - @ is
 * prefixed with ' so a spreadsheet does not run it as a formula (CSV injection: error causes are free text).
 */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** "+1m02.500s" style offsets for timelines (the console shows elapsed time the same way). */
export function offset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = (rest / 1000).toFixed(3);
  if (h) return `${sign}${h}h${String(m).padStart(2, '0')}m${s.padStart(6, '0')}s`;
  if (m) return `${sign}${m}m${s.padStart(6, '0')}s`;
  return `${sign}${s}s`;
}

/** Human duration: 850ms, 12.3s, 4m05s, 2h03m. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.round(s);
  if (total < 3600) return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

export function iso(date: Date | string | number | undefined | null): string {
  if (date === undefined || date === null) return '-';
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? String(date) : d.toISOString();
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Error text with every run of more than 300 non-blank characters (an ARN is at most 256) cut to its first 100 and its length: an id
 * of 5,000 characters (or commander's echo of a bad option value) must not flood the terminal or a log.
 */
export function elideLongRuns(text: string): string {
  return text.replace(/\S{301,}/g, (run) => `${run.slice(0, 100)}… (${run.length} characters)`);
}

/** Single line: history causes and SMA errors may carry newlines that would break a table row. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}

export const REDACTED = '<redacted>';

/**
 * Task tokens are bearer credentials for SendTaskSuccess/Failure: whoever holds one can complete the step.
 * They appear in TaskScheduled parameters (a JSON string) and could appear in any payload, so every string is
 * scanned, nested JSON-in-JSON included (the quotes of an embedded document are backslash-escaped).
 */
const TOKEN_IN_TEXT = /((?:\\*")(?:taskToken|TaskToken|task_token)(?:\\*")\s*:\s*)(\\*")(?:(?!\2).)*\2/g;

export function redactTokens(text: string): string {
  return text.replace(TOKEN_IN_TEXT, (_m, key: string, quote: string) => `${key}${quote}${REDACTED}${quote}`);
}

/** E.164 numbers only (a "+" and 7-15 digits): a looser pattern would also mask dates and ids. */
export function maskPhones(text: string): string {
  return text.replace(/\+\d{7,15}(?!\d)/g, (m) => maskPhoneNumber(m));
}

export function scrubText(text: string): string {
  return maskPhones(redactTokens(text));
}

/** Deep copy with every string passed through `text` and every `taskToken` member redacted. */
function deepStrings<T>(value: T, text: (s: string) => string): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'string') return key !== undefined && /^task_?token$/i.test(key) ? REDACTED : text(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v instanceof Date) return v;
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

/** Deep copy with every string scrubbed and every `taskToken` member redacted. */
export function scrub<T>(value: T): T {
  return deepStrings(value, scrubText);
}

/** Deep copy with task tokens redacted (members and inside JSON strings), nothing else changed. */
export function redactTaskTokens<T>(value: T): T {
  return deepStrings(value, redactTokens);
}

/** JSON for --json output: scrubbed, Dates as ISO strings, two-space indent. */
export function toJson(value: unknown): string {
  return JSON.stringify(scrub(value), null, 2);
}
