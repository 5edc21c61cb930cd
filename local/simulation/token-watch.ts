/**
 * Looks for task tokens in log lines. Every 16-character piece of a token, taken every 8 characters, is kept: a
 * line holding 24 or more consecutive characters of a token (whole, cut short, or quoted inside an error message)
 * holds one of the pieces, and a line is checked at every position of its long base64url runs.
 *
 * The check runs on every log line of a simulation: each position costs one rolling hash step and a lookup of a
 * number, and only a position whose hash is a piece's is compared as a string (the campaign's check took about 3 %
 * of a simulated call's CPU when every position cut out and looked up a 16-character string).
 */
/** A run of 24 or more characters of the base64url alphabet tokens are written in (the twin's; AWS's are similar). */
const MIN_RUN = 24;
const TOKEN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') TOKEN_CHAR[c.charCodeAt(0)] = 1;
const PIECE = 16;
const BASE = 0x01000193;
/** BASE^(PIECE-1) mod 2^32: the weight of the character leaving the window. */
const LEAVING = Array.from({ length: PIECE - 1 }).reduce<number>((p) => Math.imul(p, BASE), 1);

/** Polynomial hash (mod 2^32) of `text[from, from + PIECE)`. */
function hashAt(text: string, from: number): number {
  let h = 0;
  for (let j = from; j < from + PIECE; j++) h = (Math.imul(h, BASE) + text.charCodeAt(j)) | 0;
  return h;
}

/** A watched piece: `token[offset, offset + PIECE)`, issued to `owner`. */
interface Piece {
  token: string;
  offset: number;
  owner: string;
}

export class TokenWatch {
  private readonly byHash = new Map<number, Piece[]>();
  private readonly byOwner = new Map<string, Array<[number, Piece]>>();
  private size = 0;

  /** Watch for `token`, issued to `owner` (an execution). */
  add(token: string, owner: string): void {
    const list = this.byOwner.get(owner) ?? [];
    for (let offset = 0; offset + PIECE <= token.length; offset += 8) {
      const h = hashAt(token, offset);
      const piece: Piece = { token, offset, owner };
      const same = this.byHash.get(h);
      if (same) same.push(piece);
      else this.byHash.set(h, [piece]);
      list.push([h, piece]);
      this.size++;
    }
    this.byOwner.set(owner, list);
  }

  /** The owner of a token a piece of which is in `line`, or undefined. */
  scan(line: string): string | undefined {
    if (this.size === 0) return undefined;
    // One pass over the line: runs of token characters (base64url) are hashed as they go, and a run holds a token's
    // characters only if it is at least MIN_RUN long, so its candidate positions are compared once it has ended.
    let runStart = 0;
    let h = 0;
    let candidates: number[] | undefined;
    for (let j = 0; j <= line.length; j++) {
      const c = j < line.length ? line.charCodeAt(j) : 0;
      if (c < 128 && TOKEN_CHAR[c] === 1) {
        const length = j - runStart + 1;
        h = length <= PIECE ? (Math.imul(h, BASE) + c) | 0 : (Math.imul(h - Math.imul(line.charCodeAt(j - PIECE), LEAVING), BASE) + c) | 0;
        if (length >= PIECE && this.byHash.has(h)) (candidates ??= []).push(j + 1 - PIECE);
        continue;
      }
      if (candidates && j - runStart >= MIN_RUN) {
        for (const at of candidates) {
          const owner = this.ownerAt(line, at);
          if (owner !== undefined) return owner;
        }
      }
      candidates = undefined;
      runStart = j + 1;
      h = 0;
    }
    return undefined;
  }

  /** The owner of the piece at `line[at, at + PIECE)`, the latest watched if several match; undefined if none. */
  private ownerAt(line: string, at: number): string | undefined {
    const same = this.byHash.get(hashAt(line, at)) ?? [];
    for (let i = same.length - 1; i >= 0; i--) {
      const p = same[i]!;
      if (line.startsWith(p.token.slice(p.offset, p.offset + PIECE), at)) return p.owner;
    }
    return undefined;
  }

  /** Stop watching an owner's tokens (its call was checked and forgotten). */
  forget(owner: string): void {
    for (const [h, piece] of this.byOwner.get(owner) ?? []) {
      const same = this.byHash.get(h);
      const i = same ? same.indexOf(piece) : -1;
      if (i < 0) continue;
      same!.splice(i, 1);
      if (same!.length === 0) this.byHash.delete(h);
      this.size--;
    }
    this.byOwner.delete(owner);
  }
}
