/**
 * S3 conditional writes, which s3rver 3.7.1 does not know (it ignores the header and overwrites): a PutObject with
 * `If-None-Match: *` on a key that exists is refused. Amazon S3 User Guide, "Add preconditions to S3 operations with
 * conditional requests": "If-None-Match ... the upload fails if an object with the same key name already exists in
 * the bucket ... 412 Precondition Failed"; and of two such uploads at once, "the first write to complete succeeds"
 * and the other gets 412 (or 409 ConditionalRequestConflict while the first is in progress: the twin answers 412,
 * which every caller here must handle anyway). Other conditional headers (If-Match on writes) are not emulated:
 * nothing here sends them.
 *
 * Conditional writes to one key are serialized, so the check and the write are one step, as in S3.
 */
import type S3rver from 's3rver';

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;

const PRECONDITION_FAILED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>' +
  '<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';

export function answerConditionalWrites(server: S3rver): void {
  const app = server as unknown as { middleware: Middleware[] };
  const store = server.store;
  const inFlight = new Map<string, Promise<unknown>>();
  app.middleware.unshift(async (ctx, next) => {
    const condition = ctx.headers['if-none-match'];
    // PutObject only (a copy or a part upload carries other query parameters or headers).
    if (ctx.method !== 'PUT' || condition !== '*' || 'partNumber' in ctx.query || ctx.headers['x-amz-copy-source']) return next();
    const [, bucket, ...rest] = ctx.path.split('/');
    let key: string;
    try {
      key = decodeURIComponent(rest.join('/'));
    } catch {
      return next();
    }
    if (!bucket || !key) return next();
    const id = `${bucket}/${key}`;
    const previous = inFlight.get(id) ?? Promise.resolve();
    const mine = previous.then(async () => {
      if (await store.existsObject(bucket, key)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = PRECONDITION_FAILED;
        return;
      }
      await next();
    });
    const settled = mine.catch(() => undefined);
    inFlight.set(id, settled);
    try {
      return await mine;
    } finally {
      if (inFlight.get(id) === settled) inFlight.delete(id);
    }
  });
}
