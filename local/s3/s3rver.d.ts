/** Minimal typings for s3rver 3.7.1 (the package ships none): only what local/s3/server.ts uses. */
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>;
  }

  namespace S3rver {
    /** The FilesystemStore methods local/s3/server.ts wraps (atomic writes, long keys, refused reads, cached bucket configuration) and reads directly (S3Direct). */
    interface S3rverStore {
      getResourcePath(bucket: string, key?: string, resource?: string): string;
      listObjects(
        bucket: string,
        options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
      ): Promise<{ objects: Array<{ key: string }>; commonPrefixes: string[]; isTruncated: boolean }>;
      putObject(object: { bucket: string; key: string }): Promise<unknown>;
      getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
      existsObject(bucket: string, key: string): Promise<boolean>;
      /** The object's stored metadata, `content-length` included (throws if there is no such object). */
      getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
      getBucket(bucket: string): Promise<unknown>;
      putBucket(bucket: string): Promise<unknown>;
      deleteBucket(bucket: string): Promise<unknown>;
      getSubresource(bucket: string, key: string | undefined, resourceType: string): Promise<unknown>;
      putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
      deleteSubresource(bucket: string, key: string | undefined, resourceType: string): Promise<void>;
    }
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    store: S3rver.S3rverStore;
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
  export = S3rver;
}

/** s3rver's error type: thrown from a store method, it is answered in S3's XML error shape and status. */
declare module 's3rver/lib/models/error' {
  class S3Error extends Error {
    constructor(code: string, message: string, detail?: Record<string, string | number>);
    code: string;
    status: number;
  }
  export = S3Error;
}
