/**
 * The S3 SDK, loaded on first use (as sfn-sdk.ts does for Step Functions): only calls that record go through the
 * hand-off mailbox, and most events of a call touch no mailbox at all.
 */
import type * as S3 from '@aws-sdk/client-s3';

export type S3Sdk = typeof import('./s3-sdk-exports');

let sdk: S3Sdk | undefined;

export function s3Sdk(): S3Sdk {
  sdk ??= require('./s3-sdk-exports') as S3Sdk;
  return sdk;
}

/** A client made on first use (`make` runs once), or the one given. */
export type S3Source = S3.S3Client | (() => S3.S3Client);

export function lazyS3Client(make: () => S3.S3Client): () => S3.S3Client {
  let client: S3.S3Client | undefined;
  return () => {
    client ??= make();
    return client;
  };
}

export const s3ClientOf = (source: S3Source): S3.S3Client => (typeof source === 'function' ? source() : source);
