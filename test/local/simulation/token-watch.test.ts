/**
 * The simulation's token check (local/simulation/token-watch.ts): a line holding 24 or more consecutive characters
 * of a watched token, anywhere in a run of base64url characters, names the token's owner; shorter pieces, other
 * text and forgotten owners do not. Checked against the plain definition (every 16-character window of every
 * 24+ run looked up as a string) on generated lines, and on the cases that matter by hand.
 */
import { TokenWatch } from '../../../local/simulation/token-watch';
import { SeededRandom } from '../../../local/random';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** The definition the watch implements, written the slow and obvious way. */
function reference(tokens: Map<string, string>, line: string): string | undefined {
  const pieces = new Map<string, string>();
  for (const [token, owner] of tokens) for (let i = 0; i + 16 <= token.length; i += 8) pieces.set(token.slice(i, i + 16), owner);
  for (const run of line.matchAll(/[A-Za-z0-9_-]{24,}/g)) {
    for (let i = 0; i + 16 <= run[0].length; i++) {
      const owner = pieces.get(run[0].slice(i, i + 16));
      if (owner !== undefined) return owner;
    }
  }
  return undefined;
}

describe('TokenWatch', () => {
  const random = new SeededRandom(2026).fn;
  const token = (n = 300) => Array.from({ length: n }, () => ALPHABET[Math.floor(random() * 64)]).join('');

  it('finds a token whole, quoted, or any 24 characters of it; not 23; not once forgotten', () => {
    const watch = new TokenWatch();
    const t = token();
    watch.add(t, 'exec-1');
    expect(watch.scan(`{"taskToken":"${t}"}`)).toBe('exec-1');
    expect(watch.scan(t)).toBe('exec-1');
    expect(watch.scan(`error: token ${t.slice(101, 125)} is stale`)).toBe('exec-1');
    expect(watch.scan(`${t.slice(276)}`)).toBe('exec-1'); // the last 24 characters, the whole line
    expect(watch.scan(`x ${t.slice(101, 124)} y`)).toBeUndefined(); // 23 characters
    expect(watch.scan(`é${t.slice(40, 63)}é`)).toBeUndefined(); // 23 between characters outside the alphabet
    expect(watch.scan(`A${t.slice(40, 63)}`)).toBe('exec-1'); // a 24-character run holding a whole piece counts
    watch.forget('exec-1');
    expect(watch.scan(t)).toBeUndefined();
  });

  it('agrees with the plain definition on generated lines, as owners come and go', () => {
    const watch = new TokenWatch();
    const live = new Map<string, string>();
    for (let round = 0; round < 300; round++) {
      const t = token(24 + Math.floor(random() * 280));
      const owner = `exec-${round}`;
      watch.add(t, owner);
      live.set(t, owner);
      if (round % 3 === 2) {
        const [gone, goneOwner] = [...live][Math.floor(random() * live.size)]!;
        watch.forget(goneOwner);
        live.delete(gone);
      }
      const tokens = [...live.keys()];
      const some = tokens[Math.floor(random() * tokens.length)]!;
      const from = Math.floor(random() * some.length);
      const cut = some.slice(from, from + 16 + Math.floor(random() * 20));
      const filler = token(Math.floor(random() * 40));
      const separator = [' ', '"', ':', '', '/', 'ü'][Math.floor(random() * 6)]!;
      for (const line of [`${filler}${separator}${cut}${separator}${filler}`, `${cut}${separator}${token(30)}`, filler]) {
        expect(watch.scan(line)).toBe(reference(live, line));
      }
    }
  });
});
