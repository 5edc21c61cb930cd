/**
 * The recording's AWS clients, with short bounds: a slow or unreachable Step Functions or S3 must not make the SMA
 * wait past its 5 s. `where` is for the local twin (endpoint, region, credentials, path-style); in AWS the SDK's
 * defaults apply.
 */
import type { SFNClient, SFNClientConfig } from '@aws-sdk/client-sfn';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { RecordingConfig } from './config';
import { s3Sdk } from './s3-sdk';
import { sfnSdk } from './sfn-sdk';

export function createSfnClient(
  config: Pick<RecordingConfig, 'sfnRequestTimeoutMs'>,
  where: Pick<SFNClientConfig, 'endpoint' | 'region' | 'credentials'> = {},
): SFNClient {
  // Short bounds: a slow or unreachable Step Functions must not make the SMA wait past its 5 s.
  // throwOnRequestTimeout: without it @smithy/node-http-handler 4.x only logs a warning when requestTimeout
  // passes and keeps waiting (a hung endpoint then held every callback until middy's timeoutEarly).
  const { SFNClient } = sfnSdk();
  return new SFNClient({
    ...where,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: config.sfnRequestTimeoutMs, throwOnRequestTimeout: true },
    cacheMiddleware: true,
  });
}

/** The mailbox's S3 client: short bounds, like createSfnClient's, for the same reason. */
export function createS3Client(
  config: Pick<RecordingConfig, 'sfnRequestTimeoutMs'>,
  where: Pick<S3ClientConfig, 'endpoint' | 'region' | 'credentials' | 'forcePathStyle'> = {},
): S3Client {
  const { S3Client } = s3Sdk();
  return new S3Client({
    ...where,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: config.sfnRequestTimeoutMs, throwOnRequestTimeout: true },
    // The slots are small JSON objects: no checksum computed on every write (S3 still checks Content-MD5-less PUTs).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
