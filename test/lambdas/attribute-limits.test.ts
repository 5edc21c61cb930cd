/**
 * checkAttributes (lambdas/recording/sma-response.ts): the SMA's 10 pairs and 20 KB. The exact byte count is
 * skipped only for a map provably under the limit (at most 6 JSON bytes per UTF-16 unit); these cases sit at
 * the limit, where the exact count must decide.
 */
import { checkAttributes, MAX_ATTRIBUTE_BYTES } from '../../lambdas/recording/sma-response';

const bytes = (m: Record<string, string>) => Buffer.byteLength(JSON.stringify(m));

describe('checkAttributes at the 20 KB limit', () => {
  it.each([
    ['plain ASCII', 'x'],
    ['control characters (6 bytes each in JSON)', '\u0001'],
    ['3-byte characters', '€'],
    ['surrogate pairs (4 bytes per 2 units)', '😀'],
    ['lone surrogates (escaped, 6 bytes each)', '\ud800'],
  ])('%s: exactly at the limit passes, one byte over throws', (_name, unit) => {
    // Grow a value until the map is just over the limit, then check the largest map at or under it.
    const map = (n: number) => ({ 'app:a': unit.repeat(n) });
    let n = 1;
    while (bytes(map(n)) <= MAX_ATTRIBUTE_BYTES) n++;
    expect(() => checkAttributes(map(n))).toThrow(/bytes, over the SMA's 20480/);
    expect(bytes(map(n - 1))).toBeLessThanOrEqual(MAX_ATTRIBUTE_BYTES);
    expect(() => checkAttributes(map(n - 1))).not.toThrow();
  });

  it('small maps pass; eleven pairs throw however small', () => {
    expect(() => checkAttributes({ 'app:menu': 'main', 'rw:own': '{"a":["SpeakAndGetDigits"]}' })).not.toThrow();
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, '']));
    expect(() => checkAttributes(eleven)).toThrow(/11 pairs/);
  });
});
