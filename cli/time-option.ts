/** --since / --until: an ISO 8601 time ("2025-11-25", "2025-11-25T13:00:00Z") or an age ("90m", "24h", "7d", "2w"). */
import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseTime(value: string, now: number = Date.now()): Date {
  const v = value.trim();
  if (v === 'now') return new Date(now);
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(v);
  if (age) return new Date(now - Number(age[1]) * UNIT_MS[age[2]]);
  // Only ISO-looking text: Date.parse also accepts "1" or "March 7", which would silently mean something odd.
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v)) {
    const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new Error(
    `expected an ISO 8601 time (2025-11-25 or 2025-11-25T13:00:00Z) or an age like 90m, 24h, 7d, 2w; got ${JSON.stringify(value)}`,
  );
}

/** commander argParser: the message becomes "option '--since <time>' argument '...' is invalid. <message>". */
export const timeOption = (now: () => number) => (value: string) => {
  try {
    return parseTime(value, now());
  } catch (e) {
    // commander's InvalidArgumentError takes no options: the cause is set after.
    throw Object.assign(new InvalidArgumentError((e as Error).message), { cause: e });
  }
};
