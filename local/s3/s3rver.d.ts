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
    /** The FilesystemStore methods local/s3/server.ts wraps to make writes atomic. */
    interface S3rverStore {
      putObject(object: { bucket: string; key: string }): Promise<unknown>;
      getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
      existsObject(bucket: string, key: string): Promise<boolean>;
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
