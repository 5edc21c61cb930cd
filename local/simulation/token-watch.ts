/**
 * Looks for task tokens in log lines. Every 16-character piece of a token, taken every 8 characters, is kept: a
 * line holding 24 or more consecutive characters of a token (whole, cut short, or quoted inside an error message)
 * holds one of the pieces, and a line is checked with one set lookup per character.
 */
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
    for (let i = 0; i + 16 <= line.length; i++) {
      const owner = this.pieces.get(line.slice(i, i + 16));
      if (owner !== undefined) return owner;
    }
    return undefined;
  }

  /** Stop watching an owner's tokens (its call was checked and forgotten). */
  forget(owner: string): void {
    for (const p of this.byOwner.get(owner) ?? []) this.pieces.delete(p);
    this.byOwner.delete(owner);
  }
}
