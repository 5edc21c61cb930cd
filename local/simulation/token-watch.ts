/**
 * Looks for task tokens in log lines. Every 16-character piece of a token, taken every 8 characters, is kept: a
 * line holding 24 or more consecutive characters of a token (whole, cut short, or quoted inside an error message)
 * holds one of the pieces, and a line is checked with one set lookup per character of its long base64url runs.
 */
/** 24 or more characters of the base64url alphabet tokens are written in (the twin's; AWS's are similar). */
const TOKEN_RUN = /[A-Za-z0-9_-]{24,}/g;

export class TokenWatch {
  private readonly pieces = new Map<string, string>(); // piece -> owner
  private readonly byOwner = new Map<string, string[]>();

  /** Watch for `token`, issued to `owner` (an execution). */
  add(token: string, owner: string): void {
    const list = this.byOwner.get(owner) ?? [];
    for (let i = 0; i + 16 <= token.length; i += 8) {
      const piece = token.slice(i, i + 16);
      this.pieces.set(piece, owner);
      list.push(piece);
    }
    this.byOwner.set(owner, list);
  }

  /** The owner of a token a piece of which is in `line`, or undefined. */
  scan(line: string): string | undefined {
    // Only runs of token characters (base64url) long enough to hold a piece are looked into.
    for (const run of line.matchAll(TOKEN_RUN)) {
      const text = run[0];
      for (let i = 0; i + 16 <= text.length; i++) {
        const owner = this.pieces.get(text.slice(i, i + 16));
        if (owner !== undefined) return owner;
      }
    }
    return undefined;
  }

  /** Stop watching an owner's tokens (its call was checked and forgotten). */
  forget(owner: string): void {
    for (const p of this.byOwner.get(owner) ?? []) this.pieces.delete(p);
    this.byOwner.delete(owner);
  }
}
