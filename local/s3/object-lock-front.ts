/**
 * Versioning, Object Lock retention and legal hold on the twin's S3, as the SDK sees them: a middleware in front of
 * s3rver's router (s3rver 3.7.1 has none of them; the versions are kept by object-versions.ts). Written by hand: no
 * npm package adds these to s3rver. Each rule below quotes the Amazon S3 User Guide or API Reference sentence it
 * models; where the docs are silent, the reading worse for the caller is taken (said where it is).
 *
 *  Every bucket of the twin is versioned with Object Lock enabled, as the construct's recording bucket is:
 *  "Object Lock works only in buckets that have S3 Versioning enabled."
 */
import type { IncomingMessage } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type S3rver from 's3rver';
import S3Error from 's3rver/lib/models/error';
import { type LockMode, type ObjectVersion, VersionStore } from './object-versions';
import { deleteRefusal, retentionChangeRefusal } from './object-lock-rules';

interface Ctx {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  querystring: string;
  headers: Record<string, string | string[] | undefined>;
  req: IncomingMessage;
  status: number;
  body: unknown;
  type: string;
  set(name: string, value: string): void;
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function refuse(code: string, message: string, status?: number): never {
  const error = new S3Error(code, message);
  if (status) error.status = status;
  throw error;
}

export function versionAndLockObjects(server: S3rver, dataDir: string, now: () => number): VersionStore {
  const store = server.store;
  const versions = new VersionStore(store, join(dataDir, '.versions'));
  const app = server as unknown as { middleware: Array<(ctx: Ctx, next: () => Promise<unknown>) => unknown> };
  app.middleware.unshift(async (ctx, next) => {
    const [, bucket, ...rest] = ctx.path.split('/');
    let key: string;
    try {
      key = decodeURIComponent(rest.join('/'));
    } catch {
      return next();
    }
    if (!bucket) return next();
    if (!key) return bucketRequest(ctx, next, bucket, versions, store);
    const q = ctx.query;
    if ('retention' in q || 'legal-hold' in q) return lockRequest(ctx, bucket, key, versions, now);
    const versionId = typeof q.versionId === 'string' ? q.versionId : undefined;
    if (ctx.method === 'PUT' && !('tagging' in q) && !('acl' in q)) return putObject(ctx, next, bucket, key, versions);
    if (ctx.method === 'DELETE' && !('tagging' in q)) return deleteObject(ctx, next, bucket, key, versionId, versions, now);
    if (versionId !== undefined) {
      const list = await versions.list(bucket, key);
      const version = list.find((v) => v.versionId === versionId);
      if (!version) refuse('NoSuchVersion', 'The specified version does not exist.');
      // "If the specified version is a delete marker, the response returns a 405 Method Not Allowed error."
      if (version.deleteMarker) refuse('MethodNotAllowed', 'The specified method is not allowed against this resource.');
      if (version.aside) {
        if ('tagging' in q) refuse('NotImplemented', 'The twin keeps the tags of the current version only');
        return noncurrent(ctx, version);
      }
      ctx.querystring = ctx.querystring.replace(/(^|&)versionId=[^&]*/, '').replace(/^&/, '');
    }
    await next();
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.status < 300 && !('tagging' in q)) {
      const [current] = await versions.list(bucket, key);
      if (current && !current.deleteMarker) lockHeaders(ctx, current);
    }
    return undefined;
  });
  return versions;
}

function lockHeaders(ctx: Ctx, v: ObjectVersion): void {
  ctx.set('x-amz-version-id', v.versionId);
  if (v.retention) {
    ctx.set('x-amz-object-lock-mode', v.retention.mode);
    ctx.set('x-amz-object-lock-retain-until-date', v.retention.until.toISOString());
  }
  ctx.set('x-amz-object-lock-legal-hold', v.legalHold ? 'ON' : 'OFF');
}

const header = (ctx: Ctx, name: string) => {
  const v = ctx.headers[name];
  return typeof v === 'string' ? v : undefined;
};

async function putObject(ctx: Ctx, next: () => Promise<unknown>, bucket: string, key: string, versions: VersionStore) {
  const mode = header(ctx, 'x-amz-object-lock-mode');
  const until = header(ctx, 'x-amz-object-lock-retain-until-date');
  const hold = header(ctx, 'x-amz-object-lock-legal-hold');
  // PutObject: "x-amz-object-lock-mode ... Valid Values: GOVERNANCE | COMPLIANCE"; the two go together (a mode with
  // no date is refused: the docs are silent on one alone).
  if ((mode === undefined) !== (until === undefined))
    refuse('InvalidRequest', 'x-amz-object-lock-mode and x-amz-object-lock-retain-until-date must both be supplied');
  if (mode !== undefined && mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') refuse('InvalidArgument', 'Unknown wormMode directive.', 400);
  if (hold !== undefined && hold !== 'ON' && hold !== 'OFF') refuse('InvalidArgument', 'Legal Hold must be either of on or off', 400);
  const untilDate = until === undefined ? undefined : new Date(until);
  if (untilDate && Number.isNaN(untilDate.getTime())) refuse('InvalidArgument', 'The retain until date must be a timestamp', 400);
  // "The Content-MD5 or x-amz-sdk-checksum-algorithm header is required for any request to upload an object with a
  // retention period configured using Amazon S3 Object Lock."
  if (
    (mode || hold) &&
    !header(ctx, 'content-md5') &&
    !header(ctx, 'x-amz-sdk-checksum-algorithm') &&
    !Object.keys(ctx.headers).some((h) => h.startsWith('x-amz-checksum-'))
  )
    refuse('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
  const [current] = await versions.list(bucket, key);
  // PutObject: "If-None-Match ... Uploads the object only if the object key name does not already exist in the
  // bucket specified. Otherwise, Amazon S3 returns a 412 Precondition Failed error."
  if (header(ctx, 'if-none-match') === '*' && current && !current.deleteMarker)
    refuse('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
  await versions.setAsideCurrent(bucket, key);
  try {
    await next();
  } finally {
    if (ctx.status >= 300) await versions.putBack(bucket, key);
  }
  if (ctx.status < 300) {
    const version = await versions.added(bucket, key, {
      legalHold: hold === 'ON',
      ...(mode && untilDate ? { retention: { mode: mode as LockMode, until: untilDate } } : {}),
    });
    ctx.set('x-amz-version-id', version.versionId);
  }
}

async function deleteObject(
  ctx: Ctx,
  next: () => Promise<unknown>,
  bucket: string,
  key: string,
  versionId: string | undefined,
  versions: VersionStore,
  now: () => number,
) {
  if (versionId === undefined) {
    // "A simple DELETE cannot permanently delete an object ... Amazon S3 inserts a delete marker in the bucket, and
    // that marker becomes the current version of the object with a new ID." Object Lock does not stop it: "placing
    // a delete marker on an object doesn't delete any object versions".
    const marker = await versions.addDeleteMarker(bucket, key, new Date(now()));
    ctx.set('x-amz-delete-marker', 'true');
    ctx.set('x-amz-version-id', marker.versionId);
    ctx.status = 204;
    ctx.body = null;
    return;
  }
  const version = await versions.find(bucket, key, versionId);
  // DeleteObject of a version that is not there succeeds, as S3's deletes do.
  if (version) {
    const bypass = header(ctx, 'x-amz-bypass-governance-retention') === 'true';
    if (deleteRefusal(version, bypass, now())) refuse('AccessDenied', 'Access Denied');
    await versions.remove(bucket, key, versionId);
    if (version.deleteMarker) ctx.set('x-amz-delete-marker', 'true');
  }
  ctx.set('x-amz-version-id', versionId);
  ctx.status = 204;
  ctx.body = null;
  void next; // s3rver never sees a versioned delete
}

async function noncurrent(ctx: Ctx, version: ObjectVersion) {
  const dir = version.aside as string;
  const meta = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8').catch(() => '{}')) as Record<string, string>;
  for (const [name, value] of Object.entries(meta)) if (name !== 'etag' && name !== 'content-length') ctx.set(name, String(value));
  ctx.set('ETag', version.etag.startsWith('"') ? version.etag : `"${version.etag}"`);
  ctx.set('Last-Modified', version.lastModified.toUTCString());
  lockHeaders(ctx, version);
  ctx.status = 200;
  if (ctx.method === 'HEAD') {
    ctx.set('Content-Length', String(version.size));
    ctx.body = null;
  } else {
    ctx.body = createReadStream(join(dir, 'object'));
    if (meta['content-type']) ctx.type = meta['content-type'];
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** PutObjectRetention, GetObjectRetention, PutObjectLegalHold, GetObjectLegalHold (on a version, or the current one). */
async function lockRequest(ctx: Ctx, bucket: string, key: string, versions: VersionStore, now: () => number) {
  const versionId = typeof ctx.query.versionId === 'string' ? ctx.query.versionId : undefined;
  const list = await versions.list(bucket, key);
  const version = versionId === undefined ? list[0] : list.find((v) => v.versionId === versionId);
  if (!version && versionId === undefined) refuse('NoSuchKey', 'The specified key does not exist.');
  if (!version) refuse('NoSuchVersion', 'The specified version does not exist.');
  if (version.deleteMarker) refuse('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  const retention = 'retention' in ctx.query;
  if (ctx.method === 'GET') {
    ctx.type = 'application/xml';
    ctx.status = 200;
    if (retention) {
      if (!version.retention) refuse('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', 404);
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Retention xmlns="${XMLNS}"><Mode>${version.retention.mode}</Mode><RetainUntilDate>${version.retention.until.toISOString()}</RetainUntilDate></Retention>`;
    } else {
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<LegalHold xmlns="${XMLNS}"><Status>${version.legalHold ? 'ON' : 'OFF'}</Status></LegalHold>`;
    }
    return;
  }
  if (ctx.method !== 'PUT') refuse('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  const xml = await readBody(ctx.req);
  if (retention) {
    const mode = tag(xml, 'Mode');
    const untilText = tag(xml, 'RetainUntilDate');
    if (mode !== undefined && mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE')
      refuse('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    const until = untilText === undefined ? undefined : new Date(untilText);
    if (until && Number.isNaN(until.getTime()))
      refuse('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    const next = mode && until ? { mode: mode as LockMode, until } : undefined;
    const bypass = header(ctx, 'x-amz-bypass-governance-retention') === 'true';
    if (retentionChangeRefusal(version.retention, next, bypass, now())) refuse('AccessDenied', 'Access Denied');
    version.retention = next;
  } else {
    const status = tag(xml, 'Status');
    if (status !== 'ON' && status !== 'OFF')
      refuse('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
    // "A legal hold ... remains in effect until removed": any caller allowed s3:PutObjectLegalHold may place or remove it.
    version.legalHold = status === 'ON';
  }
  if (versionId !== undefined) ctx.set('x-amz-version-id', versionId);
  ctx.status = 200;
  ctx.body = '';
}

/** ListObjectVersions (GET /bucket?versions), GetBucketVersioning, GetObjectLockConfiguration; the rest is s3rver's. */
async function bucketRequest(ctx: Ctx, next: () => Promise<unknown>, bucket: string, versions: VersionStore, store: S3rver.S3rverStore) {
  if (ctx.method !== 'GET') return next();
  const q = ctx.query;
  const reply = (xml: string) => {
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  };
  if ('versioning' in q) return reply(`<VersioningConfiguration xmlns="${XMLNS}"><Status>Enabled</Status></VersioningConfiguration>`);
  if ('object-lock' in q)
    return reply(`<ObjectLockConfiguration xmlns="${XMLNS}"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`);
  if (!('versions' in q)) return next();
  if (!(await store.getBucket(bucket))) refuse('NoSuchBucket', 'The specified bucket does not exist');
  const prefix = typeof q.prefix === 'string' ? q.prefix : '';
  // All versions in one page (IsTruncated false): the twin's buckets hold one run's calls.
  const listed = await store.listObjects(bucket, { prefix, maxKeys: Number.MAX_SAFE_INTEGER });
  const keys = [...new Set([...listed.objects.map((o: { key: string }) => o.key), ...versions.keys(bucket, prefix)])].sort();
  const entries: string[] = [];
  for (const key of keys) {
    const list = await versions.list(bucket, key);
    list.forEach((v, i) => {
      const common = `<Key>${escapeXml(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${i === 0}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
      const etag = v.etag.startsWith('"') ? v.etag : `"${v.etag}"`;
      entries.push(
        v.deleteMarker
          ? `<DeleteMarker>${common}</DeleteMarker>`
          : `<Version>${common}<ETag>${escapeXml(etag)}</ETag><Size>${v.size}</Size><StorageClass>STANDARD</StorageClass></Version>`,
      );
    });
  }
  return reply(
    `<ListVersionsResult xmlns="${XMLNS}"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${entries.join('')}</ListVersionsResult>`,
  );
}
