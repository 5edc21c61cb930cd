/**
 * The twin's S3: s3rver (a real HTTP server speaking the S3 REST protocol) over a data folder on disk, so
 * recordings are real WAV files a person can open, and the code under test talks to it through the real
 * @aws-sdk/client-s3 (path-style, loopback).
 */
import { createHash } from 'node:crypto';
import { constants, mkdirSync } from 'node:fs';
import { copyFile, stat, unlink, utimes } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { Clock } from '../clock';
import { trackServer } from '../twin/clock-tracking';
import { TWIN_CREDENTIALS } from '../twin/credentials';
import { reuseSigner } from '../twin/sdk-signer';
import { ownHosts } from '../twin/host-check';
import { answerSuffixRanges, refuseForeignHosts } from './http-front';
import { answerConditionalWrites } from './conditional-writes';
import { versionAndLockObjects } from './object-lock-front';
import { notifyObjectCreated, type ObjectCreatedListener } from './object-created';
import S3Error from 's3rver/lib/models/error';

/** S3 refuses a key longer than 1,024 bytes of UTF-8 with KeyTooLongError (400). */
export const MAX_KEY_BYTES = 1024;
/**
 * s3rver keeps a key as folders, one per "/" segment, and files named `<last segment>._S3rver_<resource>`;
 * a disk file name is at most 255 bytes (ext4 and most others), and the longest resource suffix is 22. A
 * segment longer than this is kept under a hashed name instead (see storeAnyKey).
 */
const MAX_SEGMENT_BYTES = 200;

export interface S3ServerOptions {
  /** Folder s3rver keeps buckets and objects in (created if missing; kept after close). */
  dataDir: string;
  /** Buckets that exist once the server is up (existing ones are kept as they are). */
  buckets: string[];
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** The twin's clock: requests are work in flight for it. */
  clock?: Clock;
  /**
   * Reads (GetObject, HeadObject) of an object this says no to are refused with 403 AccessDenied, as a bucket
   * policy, object ownership or a KMS key policy would (faults.verifyAccessDenied). Writes are not affected.
   */
  denyRead?: (bucket: string, key: string) => boolean;
  /** Hears of every object created, once it is readable (local/s3/object-created.ts: the S3 event notifications). */
  onObjectCreated?: ObjectCreatedListener;
}

export interface S3Server {
  /** e.g. http://127.0.0.1:41234 */
  endpoint: string;
  /** The store read and emptied in-process, for test harnesses (see S3Direct); the code under test uses the endpoint. */
  direct: S3Direct;
  close(): Promise<void>;
}

/**
 * The S3 twin's store, read and emptied without HTTP: for harnesses that check and clean up after the code under
 * test (the simulation checks every call), not for that code. Each object read this way would otherwise cost a
 * signed SDK request and s3rver's routing; the store is the same one requests see.
 */
export interface S3Direct {
  /** The object's body, or undefined if there is none (or it is still being written). */
  getObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** The object's tags (an empty object if it has none), or undefined if there is no such object. */
  getTags(bucket: string, key: string): Promise<Record<string, string> | undefined>;
  /** Deletes the objects and their tags (their folders stay); missing ones are skipped, as DeleteObjects does. */
  deleteObjects(bucket: string, keys: string[]): Promise<void>;
  /**
   * Copies the object's body to `file` (the export after a run), once it passes what a GetObject passes: false if
   * there is no such object, it is still being written, or reads of it are refused (faults.verifyAccessDenied).
   */
  copyObjectTo(bucket: string, key: string, file: string): Promise<boolean>;
}

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const { dataDir, buckets, host = '127.0.0.1', port = 0 } = options;
  mkdirSync(dataDir, { recursive: true });
  const server = new S3rver({
    address: host,
    port,
    directory: dataDir,
    silent: true,
    // Path-style only: virtual-host style would need DNS for <bucket>.127.0.0.1.
    vhostBuckets: false,
    // s3rver knows one access key id, S3RVER (any other gets InvalidAccessKeyId); this lets a client that
    // uses that id with some other dummy secret through too.
    allowMismatchedSignatures: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  storeAnyKey(server.store);
  makeWritesAtomic(server.store, options.clock);
  if (options.onObjectCreated) notifyObjectCreated(server.store, options.onObjectCreated);
  cacheBucketConfig(server.store);
  cacheBuckets(server.store);
  if (options.denyRead) refuseReads(server.store, options.denyRead);
  dropRequestLogger(server);
  // Versioning and Object Lock (object-lock-front.ts) see a request after the Host check and the range rewrite.
  versionAndLockObjects(server, dataDir, () => options.clock?.nowMs() ?? Date.now());
  answerSuffixRanges(server);
  answerConditionalWrites(server);
  const own = refuseForeignHosts(server);
  const address = await server.run();
  for (const host of ownHosts(address)) own.add(host);
  if (options.clock && server.httpServer) trackServer(server.httpServer, options.clock);
  let closed = false;
  return {
    endpoint: `http://${formatHost(address.address)}:${address.port}`,
    direct: directAccess(server.store),
    async close() {
      if (closed) return;
      closed = true;
      // Keep-alive sockets from SDK clients would hold http.Server#close open until they time out.
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}

/**
 * S3 makes a new object visible only once its PUT completes. s3rver 3.7.1 writes the body file, then the
 * metadata file, and a HEAD in between finds an object without metadata or content type (the workflow's
 * verifier then judged a landing recording invalid). Readers of a key that is being written are told it
 * does not exist yet, which is what S3 would say of a first write. The object file's mtime, which s3rver reports as
 * LastModified, is set to the twin's (virtual) time of the PUT, so a run's LastModified values follow from its seed.
 */
function makeWritesAtomic(store: S3rver.S3rverStore, clock?: Clock): void {
  const writing = new Map<string, number>();
  const id = (bucket: string, key: string) => `${bucket}\u0000${key}`;
  const putObject = store.putObject.bind(store);
  store.putObject = async (object) => {
    const k = id(object.bucket, object.key);
    writing.set(k, (writing.get(k) ?? 0) + 1);
    // s3rver's LastModified is the object file's mtime: the twin's is the virtual time the PUT arrived at.
    const arrivedAt = clock ? new Date(clock.nowMs()) : undefined;
    try {
      const written = (await putObject(object)) as { size?: number };
      const path = store.getResourcePath(object.bucket, object.key, 'object');
      await untilOnDisk(path, written?.size ?? 0);
      if (arrivedAt) await utimes(path, arrivedAt, arrivedAt);
      return written;
    } finally {
      const n = (writing.get(k) ?? 1) - 1;
      if (n === 0) writing.delete(k);
      else writing.set(k, n);
    }
  };
  const getObject = store.getObject.bind(store);
  store.getObject = (bucket, key, options) => (writing.has(id(bucket, key)) ? Promise.resolve(null) : getObject(bucket, key, options));
  const existsObject = store.existsObject.bind(store);
  store.existsObject = (bucket, key) => (writing.has(id(bucket, key)) ? Promise.resolve(false) : existsObject(bucket, key));
}

/**
 * s3rver 3.7.1's putObject resolves when its hashing stream has taken the body, before the file stream has written
 * the last of it: a GET or HEAD right after the PUT's response could see a short object (a 1-byte manifest, in a
 * simulation that reads each manifest as its call ends). The write counts as done once the file holds every byte.
 * A bounded wait: an overlapping write of the same key can leave another size there.
 */
async function untilOnDisk(path: string, size: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const onDisk = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (onDisk >= size) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** s3rver answers an S3Error thrown by its store with the error's status (AccessDenied: 403, no body for a HEAD). */
function refuseReads(store: S3rver.S3rverStore, denied: (bucket: string, key: string) => boolean): void {
  const getObject = store.getObject.bind(store);
  store.getObject = (bucket, key, options) => {
    if (denied(bucket, key)) return Promise.reject(new S3Error('AccessDenied', 'Access Denied'));
    return getObject(bucket, key, options);
  };
}

/**
 * Any key S3 accepts is stored, and a key S3 refuses is refused the way S3 does. S3 takes any segment length
 * up to the 1,024-byte key; the disk does not (a key prefix segment of 300 characters made every upload under
 * it fail with an InternalError). A segment over MAX_SEGMENT_BYTES is kept on disk as "~" + its SHA-256, and
 * listings map the name back (the map lives in memory: the twin empties its data folder at every start).
 * Listings are otherwise s3rver's, with one limit: a Prefix that ends inside such a segment matches nothing.
 */
function storeAnyKey(store: S3rver.S3rverStore): void {
  const original = new Map<string, string>(); // on-disk name -> segment
  const encodeSegment = (segment: string) => {
    if (Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES) return segment;
    const name = `~${createHash('sha256').update(segment).digest('hex')}`;
    original.set(name, segment);
    return name;
  };
  const encode = (key: string) => key.split('/').map(encodeSegment).join('/');
  const decode = (key: string) =>
    original.size === 0
      ? key
      : key
          .split('/')
          .map((s) => original.get(s) ?? s)
          .join('/');

  const getResourcePath = store.getResourcePath.bind(store);
  store.getResourcePath = (bucket, key = '', resource) => {
    const bytes = Buffer.byteLength(key);
    if (bytes > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 'Your key is too long', { MaxSizeAllowed: MAX_KEY_BYTES, Size: bytes });
    return getResourcePath(bucket, encode(key), resource);
  };
  const listObjects = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const result = await listObjects(bucket, {
      ...options,
      ...(options.prefix ? { prefix: encode(options.prefix) } : {}),
      ...(options.startAfter ? { startAfter: encode(options.startAfter) } : {}),
    });
    for (const o of result.objects) o.key = decode(o.key);
    result.commonPrefixes = result.commonPrefixes.map(decode);
    return result;
  };
}

/**
 * s3rver looks its bucket up on disk (a stat) for every request. The twin's buckets change only through
 * s3rver's own store (CreateBucket, DeleteBucket), so a bucket found once is kept until either is called.
 */
function cacheBuckets(store: S3rver.S3rverStore): void {
  const found = new Map<string, unknown>();
  const getBucket = store.getBucket.bind(store);
  store.getBucket = async (bucket) => {
    const hit = found.get(bucket);
    if (hit) return hit;
    const got = await getBucket(bucket);
    if (got) found.set(bucket, got);
    return got;
  };
  for (const change of ['putBucket', 'deleteBucket'] as const) {
    const original = store[change].bind(store);
    store[change] = async (bucket) => {
      found.delete(bucket);
      try {
        return await original(bucket);
      } finally {
        found.delete(bucket);
      }
    };
  }
}

/**
 * s3rver logs every request through koa-logger (colours, a humanised size and time) into a silenced Winston
 * logger: the line is built, then dropped. Its middleware is named `logger`; the app's logger stays for errors.
 */
function dropRequestLogger(server: S3rver): void {
  const app = server as unknown as { middleware: Array<{ name?: string }> };
  app.middleware = app.middleware.filter((m) => m.name !== 'logger');
}

function directAccess(store: S3rver.S3rverStore): S3Direct {
  return {
    async getObject(bucket, key) {
      const object = (await store.getObject(bucket, key)) as { content?: NodeJS.ReadableStream | null } | null;
      if (!object?.content) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of object.content) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async getTags(bucket, key) {
      if (!(await store.existsObject(bucket, key))) return undefined;
      const tagging = (await store.getSubresource(bucket, key, 'tagging')) as { rawConfig?: unknown } | null;
      // s3rver keeps the PutObjectTagging XML as parsed: Tagging.TagSet.Tag is one tag or a list of them.
      const tagSet = (tagging?.rawConfig as { Tagging?: { TagSet?: { Tag?: unknown } } } | undefined)?.Tagging?.TagSet;
      const tags = ([] as Array<{ Key?: unknown; Value?: unknown }>).concat((tagSet?.Tag as never) ?? []);
      return Object.fromEntries(tags.map((t) => [String(t.Key), String(t.Value ?? '')]));
    },
    async copyObjectTo(bucket, key, file) {
      let object: { content?: (NodeJS.ReadableStream & { destroy(): void }) | null } | null;
      try {
        object = (await store.getObject(bucket, key)) as typeof object;
      } catch (e) {
        if ((e as { code?: string }).code === 'AccessDenied') return false;
        throw e;
      }
      if (!object?.content) return false;
      // The checks are the read's; the bytes are the object's file, copied by the kernel (a reflink where the file
      // system has them) rather than through the stream s3rver opened for them.
      object.content.destroy();
      await copyFile(store.getResourcePath(bucket, key, 'object'), file, constants.COPYFILE_FICLONE);
      return true;
    },
    async deleteObjects(bucket, keys) {
      // The object's files only. s3rver's deleteObject also removes folders it finds empty, which races with a
      // write into the same folder (a date prefix many calls share) and with another delete; and it leaves the
      // tagging file behind. Folders are left here: one per key prefix, not per object.
      const files = keys.flatMap((key) =>
        ['object', 'object.md5', 'metadata.json', 'tagging.xml'].map((r) => store.getResourcePath(bucket, key, r)),
      );
      await Promise.all(
        files.map((f) => unlink(f).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)))),
      );
    },
  };
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/**
 * An S3Client configured for the twin's S3 server.
 *
 * Credentials: s3rver's own dummy pair (S3RVER/S3RVER); it refuses any other access key id.
 *
 * Checksums (checked against client-s3 3.1175.0): by default the SDK adds CRC32 flexible checksums to
 * uploads (`requestChecksumCalculation: WHEN_SUPPORTED`). With a Buffer body that is a plain header s3rver
 * ignores, but with a stream body the SDK switches to `aws-chunked` encoding with a checksum trailer, which
 * s3rver 3.7.1 does not decode: it stores the chunk framing as the object (a 11-byte body became 52 bytes
 * with ContentEncoding aws-chunked). WHEN_REQUIRED sends checksums only where S3 requires one (e.g.
 * PutObjectTagging, which works) and plain bodies everywhere else; response validation is relaxed to
 * match, since s3rver never returns x-amz-checksum-* headers.
 */
export function makeS3Client(endpoint: string): S3Client {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TWIN_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The SDK asks a body of 2 MB or more to wait for "100 Continue", and sends it on a new connection (a fresh
    // agent, no keep-alive): a round trip, a connect and a close per long recording. The twin's S3 accepts every
    // upload it is sent, so the body goes at once, on the kept-alive connections.
    expectContinueHeader: false,
    // No cacheMiddleware here (as on the twin's Step Functions clients): a cached stack shares one context object
    // between concurrent sends, and S3's endpoint (path-style: it holds the bucket) is written into it per request.
  });
  unsignedPayloads(client);
  return reuseSigner(client);
}

/**
 * Over plain HTTP the SDK signs the SHA-256 of every body, and recordings are megabytes: most of the twin's CPU
 * went there. The twin does not check signatures, so its clients declare UNSIGNED-PAYLOAD (as the SDK itself does
 * over HTTPS); the signer then takes the header as the payload hash.
 */
export function unsignedPayloads(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'twinUnsignedPayload', priority: 'low' },
  );
}

/**
 * s3rver's CORS and website middleware read the bucket's configuration file on every request, and the twin's
 * buckets have none: each request paid a failed file open and an error with a stack (a fifth of the twin's CPU
 * in a simulation). Bucket-level configuration is cached here, and the cache is dropped by any change to it.
 */
function cacheBucketConfig(store: S3rver.S3rverStore): void {
  const cache = new Map<string, Promise<unknown>>();
  const get = store.getSubresource.bind(store);
  const put = store.putSubresource.bind(store);
  const del = store.deleteSubresource.bind(store);
  const keyOf = (bucket: string, type: string) => `${bucket}\u0000${type}`;
  store.getSubresource = (bucket: string, key: string | undefined, type: string) => {
    if (key !== undefined) return get(bucket, key, type);
    let hit = cache.get(keyOf(bucket, type));
    if (!hit) cache.set(keyOf(bucket, type), (hit = get(bucket, key, type)));
    return hit;
  };
  store.putSubresource = async (bucket: string, key: string | undefined, resource: { type: string }) => {
    cache.delete(keyOf(bucket, resource.type));
    try {
      return await put(bucket, key, resource);
    } finally {
      cache.delete(keyOf(bucket, resource.type));
    }
  };
  store.deleteSubresource = async (bucket: string, key: string | undefined, type: string) => {
    cache.delete(keyOf(bucket, type));
    try {
      return await del(bucket, key, type);
    } finally {
      cache.delete(keyOf(bucket, type));
    }
  };
}
