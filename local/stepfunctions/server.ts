/**
 * The Step Functions API on HTTP, AWS JSON 1.0 protocol, for the real @aws-sdk/client-sfn:
 * `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body; answers JSON with
 * timestamps as epoch seconds; errors are HTTP 400 `{"__type": "<ShapeName>", "message": ...}`,
 * which the SDK turns into its typed exceptions (ExecutionDoesNotExist, InvalidToken, ...).
 *
 * With an account (local/quota), StartExecution and SendTask* pass its token buckets first; a request over one gets
 * what AWS answers (Step Functions API reference, Common Errors): HTTP 400 `{"__type": "ThrottlingException"}`,
 * which the SDK (no modeled shape) raises as an SFNServiceException named ThrottlingException, and retries as
 * a throttling error.
 *
 * SigV4 is not checked (any credentials work). Request bodies are never logged: they carry task
 * tokens and execution data.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactTaskTokens } from '../../cli/format';
import { trackServer } from '../twin/clock-tracking';
import { RequestIds } from '../twin/request-ids';
import type { SeededRandom } from '../random';
import { FOREIGN_HOST_MESSAGE, isOwnHost, ownHosts } from '../twin/host-check';
import type { StepFunctionsEngine } from './engine';
import { SfnApiError } from './errors';
import type { Logger } from './types';
import type { QuotaAccount, ThrottledApi } from '../quota/account';

export interface StepFunctionsServerOptions {
  engine: StepFunctionsEngine;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
  /** The account's quotas (none: no throttling). */
  account?: QuotaAccount;
  /** The run's stream for request ids (local/twin/request-ids.ts); without it, ids are random. */
  random?: SeededRandom;
}

const THROTTLED: ReadonlySet<string> = new Set<ThrottledApi>(['StartExecution', 'SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']);

export interface StepFunctionsServer {
  /** e.g. `http://127.0.0.1:43121`, for `new SFNClient({ endpoint })`. */
  endpoint: string;
  close(): Promise<void>;
}

type Handler = (engine: StepFunctionsEngine, input: Record<string, any>) => unknown;

const OPERATIONS: Record<string, Handler> = {
  CreateStateMachine: (e, i) => e.createStateMachine({ name: i.name, definition: i.definition, roleArn: i.roleArn, type: i.type }),
  DescribeStateMachine: (e, i) => e.describeStateMachine({ stateMachineArn: i.stateMachineArn }),
  ListStateMachines: (e, i) => e.listStateMachines({ maxResults: i.maxResults, nextToken: i.nextToken }),
  StartExecution: (e, i) => e.startExecution({ stateMachineArn: i.stateMachineArn, name: i.name, input: i.input }),
  DescribeExecution: (e, i) => e.describeExecution({ executionArn: i.executionArn }),
  // Task tokens are bearer credentials and the twin has no IAM: its history never hands them out (README,
  // "Task tokens in the twin's history"). AWS shows them to whoever may call GetExecutionHistory.
  GetExecutionHistory: (e, i) =>
    redactHistory(
      e.getExecutionHistory({
        executionArn: i.executionArn,
        maxResults: i.maxResults,
        reverseOrder: i.reverseOrder,
        nextToken: i.nextToken,
        includeExecutionData: i.includeExecutionData,
      }),
    ),
  ListExecutions: (e, i) =>
    e.listExecutions({
      stateMachineArn: i.stateMachineArn,
      statusFilter: i.statusFilter,
      maxResults: i.maxResults,
      nextToken: i.nextToken,
    }),
  SendTaskSuccess: (e, i) => e.sendTaskSuccess({ taskToken: i.taskToken, output: i.output }),
  SendTaskFailure: (e, i) => e.sendTaskFailure({ taskToken: i.taskToken, error: i.error, cause: i.cause }),
  SendTaskHeartbeat: (e, i) => e.sendTaskHeartbeat({ taskToken: i.taskToken }),
  StopExecution: (e, i) => e.stopExecution({ executionArn: i.executionArn, error: i.error, cause: i.cause }),
  RedriveExecution: (e, i) => e.redriveExecution({ executionArn: i.executionArn, clientToken: i.clientToken }),
};

const redactHistory = <T extends { events: unknown[] }>(page: T): T => ({ ...page, events: redactTaskTokens(page.events) });

const TARGET_PREFIX = 'AWSStepFunctions.';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const noLog: Logger = () => undefined;

/** AWS JSON: timestamps are epoch seconds (fractional); undefined members are left out. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

export function startStepFunctionsServer(options: StepFunctionsServerOptions): Promise<StepFunctionsServer> {
  const { engine } = options;
  const log = options.logger ?? noLog;

  let own = new Set<string>();
  const requestIds = new RequestIds(options.random, engine.clock);
  const server = http.createServer((req, res) => {
    // Known once the body is read (the id derives from the request's content), for the answers that read it.
    let requestId: string | undefined;
    const send = (status: number, body: unknown) => {
      requestId ??= requestIds.next(`${req.headers['x-amz-target']}\u0000${req.method}\u0000${status}`);
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': requestId,
      });
      res.end(text);
    };
    const fail = (status: number, type: string, message: string) => {
      send(status, { __type: type, message });
    };

    if (!isOwnHost(req, own)) {
      res.shouldKeepAlive = false;
      return fail(421, 'MisdirectedRequest', FOREIGN_HOST_MESSAGE);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (req.method !== 'POST') return fail(400, 'UnknownOperationException', `Only POST / is supported, got ${req.method} ${req.url}`);
      const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
      if (!handler) {
        log('warn', 'unknown operation', { target });
        return fail(400, 'UnknownOperationException', `Unknown operation: ${target || '(no X-Amz-Target header)'}`);
      }
      if (tooLarge) return fail(400, 'ValidationException', `Request body larger than ${MAX_BODY_BYTES} bytes`);
      let input: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return fail(400, 'SerializationException', 'The request body is not valid JSON');
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        return fail(400, 'SerializationException', 'The request body must be a JSON object');
      }
      const { taskToken: _token, ...content } = input as Record<string, unknown>;
      requestId = requestIds.next(`${operation}\u0000${JSON.stringify(content)}`);
      if (options.account && THROTTLED.has(operation)) {
        // StartExecution's name is the call's TransactionId (the workflow's naming): the call is known.
        const name = operation === 'StartExecution' ? (input as { name?: unknown }).name : undefined;
        if (!options.account.admit(operation as ThrottledApi, typeof name === 'string' ? name : undefined))
          return fail(400, 'ThrottlingException', 'Rate exceeded');
      }
      try {
        const output = handler(engine, input as Record<string, unknown>);
        log('debug', 'request', { operation, status: 200 });
        send(200, toWire(output ?? {}));
      } catch (e) {
        if (e instanceof SfnApiError) {
          log('debug', 'request', { operation, status: e.httpStatus, error: e.name });
          return fail(e.httpStatus, e.name, e.message);
        }
        log('error', 'internal error', { operation, message: (e as Error)?.message });
        fail(500, 'InternalFailure', 'Internal error of the local Step Functions twin');
      }
    });
  }); // Requests are work in flight for the engine's clock (a discrete-event clock waits for them).
  trackServer(server, options.engine.clock);

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      own = ownHosts(addr);
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        endpoint: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
