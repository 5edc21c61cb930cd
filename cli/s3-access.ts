/**
 * The S3 and Secrets Manager clients of the commands that act on recordings (hold, release, erase), beside the
 * connection's Step Functions client: the twin's with --local (endpoints.json names them, the caller-key secret and
 * the caller index), else the SDK's defaults in the state machine's region. A loopback --endpoint is never AWS:
 * without --local these commands refuse it rather than reach AWS.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TWIN_CREDENTIALS } from '../local/twin/credentials';
import { STATE_MACHINE_ARN_RE, type Connection } from './clients';
import { usageError } from './errors';
import { nameEndpointOnTimeout, requestHandlerFor } from './timeouts';

export const CALLER_KEY_SECRET_ENV = 'RECORDING_CALLER_KEY_SECRET';
export const CALLER_INDEX_ENV = 'RECORDING_CALLER_INDEX';

interface TwinRecords {
  s3?: string;
  secretsmanager?: string;
  callerKeySecretId?: string;
  callerIndexLocation?: string;
}

function regionOf(conn: Connection): string | undefined {
  return conn.local?.region ?? (conn.stateMachineArn ? STATE_MACHINE_ARN_RE.exec(conn.stateMachineArn)?.[2] : undefined);
}

function twin(conn: Connection): TwinRecords | undefined {
  if (!conn.local && conn.endpoint) throw usageError('hold, release and erase reach S3: use --local for the twin, or AWS (no --endpoint)');
  return conn.local as TwinRecords | undefined;
}

export function s3ClientFor(conn: Connection): S3Client {
  const local = twin(conn);
  if (local && !local.s3) throw usageError('the twin endpoints file names no s3 endpoint');
  const region = regionOf(conn);
  const client = new S3Client({
    ...(local ? { endpoint: local.s3, forcePathStyle: true, credentials: TWIN_CREDENTIALS } : {}),
    ...(region ? { region } : {}),
    maxAttempts: 5,
    requestHandler: requestHandlerFor(conn.bounds),
  });
  return nameEndpointOnTimeout(client, 'S3', conn.bounds);
}

export function secretsClientFor(conn: Connection): SecretsManagerClient {
  const local = twin(conn);
  if (local && !local.secretsmanager) throw usageError('the twin endpoints file names no secretsmanager endpoint: restart the twin');
  const region = regionOf(conn);
  const client = new SecretsManagerClient({
    ...(local ? { endpoint: local.secretsmanager, credentials: TWIN_CREDENTIALS } : {}),
    ...(region ? { region } : {}),
    maxAttempts: 3,
    requestHandler: requestHandlerFor(conn.bounds),
  });
  return nameEndpointOnTimeout(client, 'Secrets Manager', conn.bounds);
}

/** The caller-key secret: --caller-key-secret, the twin's, or RECORDING_CALLER_KEY_SECRET. */
export function callerKeySecretFor(conn: Connection, option: string | undefined, env: NodeJS.ProcessEnv): string {
  const id = option ?? (conn.local as TwinRecords | undefined)?.callerKeySecretId ?? (env[CALLER_KEY_SECRET_ENV] || undefined);
  if (!id)
    throw usageError(
      `no caller-key secret: pass --caller-key-secret ID or set ${CALLER_KEY_SECRET_ENV} (the stack's CallerKeySecretArn output)`,
    );
  return id;
}

/** The caller index as { bucket, prefix }: --index, the twin's, or RECORDING_CALLER_INDEX. */
export function callerIndexFor(conn: Connection, option: string | undefined, env: NodeJS.ProcessEnv): { bucket: string; prefix: string } {
  const location = option ?? (conn.local as TwinRecords | undefined)?.callerIndexLocation ?? (env[CALLER_INDEX_ENV] || undefined);
  const m = location ? /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*[^/])$/.exec(location) : null;
  if (!m)
    throw usageError(`no caller index "bucket/prefix": pass --index or set ${CALLER_INDEX_ENV} (the stack's CallerIndexLocation output)`);
  return { bucket: m[1], prefix: m[2] };
}
