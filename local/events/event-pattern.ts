/**
 * EventBridge event patterns, the part the twin's rules use: exact values, `prefix`, `suffix` and `wildcard` (`*`
 * for any run of characters, `\*` a literal star), nested objects, an array of alternatives per field
 * (EventBridge user guide, "Event patterns" and "Content filtering"). Written here because no maintained npm
 * package matches EventBridge patterns offline (AWS's own matcher, event-ruler, is Java; the SDK's TestEventPattern
 * is a call to AWS). Any other operator is refused, so a rule the twin cannot read fails loudly rather than
 * matching nothing.
 */
type Matcher = string | number | boolean | null | { prefix?: string; suffix?: string; wildcard?: string };

export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  if (event === null || typeof event !== 'object') return false;
  for (const [field, want] of Object.entries(pattern)) {
    const value = (event as Record<string, unknown>)[field];
    if (Array.isArray(want)) {
      if (!want.some((m: Matcher) => matchesValue(m, value))) return false;
    } else if (want !== null && typeof want === 'object') {
      if (!matchesPattern(want as Record<string, unknown>, value)) return false;
    } else {
      throw new Error(`event pattern: field "${field}" must be an array of values or an object, got ${JSON.stringify(want)}`);
    }
  }
  return true;
}

function matchesValue(m: Matcher, value: unknown): boolean {
  if (m === null || typeof m !== 'object') return value === m;
  const ops = Object.keys(m);
  if (ops.length !== 1 || !['prefix', 'suffix', 'wildcard'].includes(ops[0]))
    throw new Error(`event pattern: the twin supports exact values, prefix, suffix and wildcard; got ${JSON.stringify(m)}`);
  if (typeof value !== 'string') return false;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.suffix !== undefined) return value.endsWith(m.suffix);
  return wildcardRegex(m.wildcard as string).test(value);
}

function wildcardRegex(wildcard: string): RegExp {
  const parts = wildcard.split(/(\\\*|\*)/);
  const body = parts.map((p) => (p === '*' ? '.*' : p === '\\*' ? '\\*' : p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}
