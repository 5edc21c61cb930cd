/**
 * What the S3 twin does with a request before s3rver's router sees it: refuse a foreign Host (DNS rebinding), and
 * answer suffix byte ranges as S3 does.
 *
 * Suffix byte ranges (`Range: bytes=-N`, the last N bytes: RFC 9110 section 14.1.1), as S3 answers them. s3rver
 * 3.7.1 reads `bytes=-10` as start 0, end 10 and sends the first 11 bytes. A middleware in front of its router
 * rewrites a suffix range of GET and HEAD into the equivalent first-last range of the object's size, which s3rver
 * handles; the answer (206, Content-Range, 416 InvalidRange) is then s3rver's own.
 *   N >= size  -> the whole object (206, bytes 0-(size-1)/size), as RFC 9110 and S3 do;
 *   N = 0, or an empty object -> not satisfiable (416).
 */
import type { IncomingMessage } from 'node:http';
import type S3rver from 's3rver';
import { FOREIGN_HOST_MESSAGE, isOwnHost } from '../twin/host-check';

const SUFFIX = /^bytes=-(\d+)$/;

interface KoaContext {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}
type Middleware = (ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;

export function answerSuffixRanges(server: S3rver): void {
  const app = server as unknown as { middleware: Middleware[] };
  const store = server.store;
  app.middleware.unshift(async (ctx, next) => {
    const range = ctx.headers.range;
    const m = typeof range === 'string' && (ctx.method === 'GET' || ctx.method === 'HEAD') ? SUFFIX.exec(range) : null;
    if (m) {
      const rewritten = await explicitRange(store, ctx.path, Number(m[1]));
      if (rewritten) ctx.headers.range = rewritten;
    }
    return next();
  });
}

/** The first-last range for the last `n` bytes of the object at the path-style `path`, or undefined if it is not one. */
async function explicitRange(store: S3rver.S3rverStore, path: string, n: number): Promise<string | undefined> {
  const [, bucket, ...rest] = path.split('/');
  let key: string;
  try {
    key = decodeURIComponent(rest.join('/'));
  } catch {
    return undefined; // s3rver's router refuses the path itself
  }
  if (!bucket || !key || !(await store.existsObject(bucket, key))) return undefined;
  const size = Number((await store.getMetadata(bucket, key))['content-length']);
  if (!Number.isSafeInteger(size)) return undefined;
  // A start past the last byte is what s3rver answers with InvalidRange.
  if (n === 0 || size === 0) return `bytes=${size + 1}-`;
  return `bytes=${Math.max(0, size - n)}-${size - 1}`;
}

/** DNS rebinding (local/twin/host-check.ts): requests not addressed to the server's own names get 421. */
export function refuseForeignHosts(server: S3rver): Set<string> {
  const own = new Set<string>();
  type Ctx = { req: IncomingMessage; status: number; type: string; body: string; set(h: string, v: string): void };
  const app = server as unknown as { middleware: Array<(ctx: Ctx, next: () => Promise<unknown>) => unknown> };
  app.middleware.unshift((ctx, next) => {
    if (isOwnHost(ctx.req, own)) return next();
    ctx.status = 421;
    ctx.type = 'text/plain';
    ctx.set('Connection', 'close');
    ctx.body = FOREIGN_HOST_MESSAGE;
    return undefined;
  });
  return own;
}
