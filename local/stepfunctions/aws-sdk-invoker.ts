/**
 * A TaskInvoker that runs `aws-sdk:<service>:<action>` tasks with the real AWS SDK v3 clients,
 * pointed at the endpoints given (the twin's loopback S3 and Chime servers).
 *
 * Like the Step Functions aws-sdk integration: Arguments are passed as-is (PascalCase) as the
 * command input, `headObject` runs `HeadObjectCommand`; the result is the SDK output without
 * `$metadata`, with Dates as ISO-8601 strings. Errors are named `<ServicePrefix>.<Name>`, with
 * "Exception" appended when the SDK name lacks it (e.g. `ChimeSdkVoice.NotFoundException`); the
 * cause is the SDK error message plus AWS's "(Service: S3, Status Code: 404, Request ID: ...,
 * Extended Request ID: ...)". Errors with no HTTP response (connection refused, ...) are
 * `<ServicePrefix>.SdkClientException` with the bare message.
 *
 * To support another service, add a `ServiceBinding` (SDK module, client class name, error
 * prefix) through the `services` option or to DEFAULT_SERVICES; its package must be installed.
 */
import * as chimeSdkVoice from '@aws-sdk/client-chime-sdk-voice';
import * as s3 from '@aws-sdk/client-s3';
import * as sfn from '@aws-sdk/client-sfn';
import { reuseSigner } from '../twin/sdk-signer';
import { TaskFailedError, StatesErrors } from './errors';
import type { TaskInvokeRequest, TaskInvoker } from './types';

export interface ServiceBinding {
  /** Prefix of error names as Step Functions reports them, e.g. `S3`, `ChimeSdkVoice`. */
  errorPrefix: string;
  /** The SDK package: its `<Action>Command` exports are the commands. */
  module: Record<string, unknown>;
  /** Export name of the client class, e.g. `S3Client`. */
  clientName: string;
  /** Service-specific quirks of error naming: return the name (without prefix) or undefined. */
  mapErrorName?: (sdkErrorName: string) => string | undefined;
  /** The command input from the task's Arguments, where the JSON needs a type the SDK wants (default: as is). */
  toSdkInput?: (args: unknown) => unknown;
  /** Extra client configuration for this service. */
  clientConfig?: (options: AwsSdkInvokerOptions) => Record<string, unknown>;
  /**
   * The SDK v3 package names its members in camelCase (client-sfn: `executionArn`), where the integration takes and
   * gives PascalCase (`ExecutionArn`, `Status`): the input's top-level names are lowered and the output's raised.
   */
  camelCaseMembers?: boolean;
}

export const DEFAULT_SERVICES: Record<string, ServiceBinding> = {
  s3: {
    errorPrefix: 'S3',
    module: s3,
    clientName: 'S3Client',
    // HeadObject on a missing key: S3 answers 404 without a body and SDK v3 names that `NotFound`;
    // through Step Functions it surfaces as S3.NoSuchKeyException. Documented by observation in
    // public reports, not verified against AWS here (some reports show S3.S3Exception instead).
    // Any other bodiless error (a HEAD refused with 403, a 5xx) reaches SDK v3 as `Unknown`; Step Functions'
    // Java SDK names it with the service's generic exception, S3.S3Exception (docs/reference/sma-protocol.md).
    // A conditional write refused (412 PreconditionFailed) has no modeled exception in the Java SDK either: it is
    // taken to surface as the generic S3.S3Exception, with "Status Code: 412" in its cause (unverified; the ASL
    // catches S3.PreconditionFailedException too and reads the status from the cause).
    mapErrorName: (name) =>
      name === 'NotFound' ? 'NoSuchKeyException' : name === 'Unknown' || name === 'PreconditionFailed' ? 'S3Exception' : undefined,
    clientConfig: (o) => ({ forcePathStyle: o.forcePathStyle ?? true }),
    toSdkInput: isoTimestampsToDates,
  },
  chimesdkvoice: {
    errorPrefix: 'ChimeSdkVoice',
    module: chimeSdkVoice,
    clientName: 'ChimeSDKVoiceClient',
  },
  // The Reconcile branch's DescribeExecution (issue 22): errors as `Sfn.ExecutionDoesNotExistException`, the SDK's
  // `ExecutionDoesNotExist` with "Exception" appended like every other service here.
  sfn: {
    errorPrefix: 'Sfn',
    module: sfn,
    clientName: 'SFNClient',
    camelCaseMembers: true,
  },
};

export interface AwsSdkInvokerOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Endpoint per service key, e.g. `{ s3: 'http://127.0.0.1:4569', chimesdkvoice: 'http://127.0.0.1:4570' }`. */
  endpoints?: Record<string, string | undefined>;
  /** S3 path-style addressing (default true: loopback servers have no virtual-host DNS). */
  forcePathStyle?: boolean;
  /** Extra or replacement service bindings, merged over DEFAULT_SERVICES. */
  services?: Record<string, ServiceBinding>;
  /**
   * SDK-level attempts per task attempt (default 1): retrying is the state machine's job, so the
   * twin's history shows every attempt the workflow's Retry makes, and nothing hidden.
   */
  maxAttempts?: number;
}

interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class AwsSdkInvoker implements TaskInvoker {
  private readonly services: Record<string, ServiceBinding>;
  private readonly clients = new Map<string, SdkClient>();

  constructor(private readonly options: AwsSdkInvokerOptions = {}) {
    this.services = { ...DEFAULT_SERVICES, ...(options.services ?? {}) };
  }

  async invoke({ service, action, args, signal }: TaskInvokeRequest): Promise<unknown> {
    const binding = this.services[service];
    if (!binding) {
      throw new TaskFailedError(
        StatesErrors.Runtime,
        `The local twin has no aws-sdk binding for service "${service}" (known: ${Object.keys(this.services).join(', ')})`,
      );
    }
    const Command = binding.module[`${pascal(action)}Command`] as (new (input: unknown) => unknown) | undefined;
    if (typeof Command !== 'function') {
      throw new TaskFailedError(StatesErrors.Runtime, `The aws-sdk integration has no action "${action}" for service "${service}"`);
    }
    const client = this.client(service, binding);
    let output: unknown;
    try {
      const raw = binding.toSdkInput ? binding.toSdkInput(args ?? {}) : (args ?? {});
      const input = binding.camelCaseMembers ? renameKeys(raw, (k) => k.charAt(0).toLowerCase() + k.slice(1), false) : raw;
      output = await client.send(new Command(input ?? {}), { abortSignal: signal });
    } catch (e) {
      if (signal.aborted) throw e; // nobody waits for this call any more
      throw toTaskFailure(binding, e);
    }
    const json = await toJsonOutput(output);
    return binding.camelCaseMembers ? renameKeys(json, pascal, true) : json;
  }

  private client(service: string, binding: ServiceBinding): SdkClient {
    let client = this.clients.get(service);
    if (!client) {
      const Client = binding.module[binding.clientName] as new (config: Record<string, unknown>) => SdkClient;
      client = new Client({
        region: this.options.region ?? 'us-east-1',
        ...(this.options.credentials ? { credentials: this.options.credentials } : {}),
        ...(this.options.endpoints?.[service] ? { endpoint: this.options.endpoints[service] } : {}),
        maxAttempts: this.options.maxAttempts ?? 1,
        ...(binding.clientConfig?.(this.options) ?? {}),
      });
      reuseSigner(client as SdkClient & { config: object });
      this.clients.set(service, client);
    }
    return client;
  }
}

/**
 * S3 request fields of timestamp type. Step Functions takes them as ISO-8601 strings in Arguments (its Java SDK
 * parses them); SDK v3 for JavaScript wants a Date and refuses a string ("Unhandled schema-value pair").
 */
const S3_TIMESTAMP_FIELDS = new Set(['ObjectLockRetainUntilDate', 'RetainUntilDate', 'Expires', 'IfModifiedSince', 'IfUnmodifiedSince']);
function isoTimestampsToDates(value: unknown, field?: string): unknown {
  if (typeof value === 'string' && field && S3_TIMESTAMP_FIELDS.has(field) && !Number.isNaN(Date.parse(value))) return new Date(value);
  if (Array.isArray(value)) return value.map((v) => isoTimestampsToDates(v));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isoTimestampsToDates(v, k)]));
  return value;
}

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { statusCode?: number };
}

function toTaskFailure(binding: ServiceBinding, e: unknown): TaskFailedError {
  const err = e as SdkError;
  const sdkName = err?.name ?? 'Error';
  const message = err?.message ?? String(e);
  const fromService = err?.$metadata?.httpStatusCode !== undefined || err?.$response !== undefined;
  if (!fromService) return new TaskFailedError(`${binding.errorPrefix}.SdkClientException`, message);
  const name = binding.mapErrorName?.(sdkName) ?? (sdkName.endsWith('Exception') ? sdkName : `${sdkName}Exception`);
  return new TaskFailedError(`${binding.errorPrefix}.${name}`, `${message} ${serviceDetails(binding, err)}`);
}

/**
 * What AWS appends to a service error's message (its Java SDK's format), e.g. recorded on AWS:
 * "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: <id>, Extended
 * Request ID: <id2>)"; services without an extended request id (all but S3) end after Request ID.
 * A response without a request id says "null", as that SDK prints it.
 */
function serviceDetails(binding: ServiceBinding, err: SdkError): string {
  const status = err.$metadata?.httpStatusCode ?? err.$response?.statusCode;
  const parts = [
    `Service: ${binding.errorPrefix}`,
    `Status Code: ${status ?? 'null'}`,
    `Request ID: ${err.$metadata?.requestId ?? 'null'}`,
  ];
  if (err.$metadata?.extendedRequestId) parts.push(`Extended Request ID: ${err.$metadata.extendedRequestId}`);
  return `(${parts.join(', ')})`;
}

/** The object's member names renamed (its nested objects' too when `deep`). */
function renameKeys(value: unknown, rename: (k: string) => string, deep: boolean): unknown {
  if (Array.isArray(value)) return deep ? value.map((v) => renameKeys(v, rename, deep)) : value;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), deep ? renameKeys(v, rename, deep) : v]));
}

/** SDK output -> JSON: no `$metadata`, Dates as ISO strings, bytes as base64. */
async function toJsonOutput(value: unknown): Promise<unknown> {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return Promise.all(value.map(toJsonOutput));
  if (value !== null && typeof value === 'object') {
    const stream = value as { transformToString?: () => Promise<string> };
    if (typeof stream.transformToString === 'function') return stream.transformToString(); // e.g. GetObject Body
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || v === undefined) continue;
      out[k] = await toJsonOutput(v);
    }
    return out;
  }
  return value;
}
