/**
 * The twin's Chime SDK Voice endpoint: UpdateSipMediaApplicationCall over the service's REST protocol
 * (restJson1), in front of the SMA emulator, so the Step Functions interpreter and tests use the real
 * @aws-sdk/client-chime-sdk-voice.
 *
 *   POST /sip-media-applications/{SipMediaApplicationId}/calls/{TransactionId}   {"Arguments": {...}}
 *   -> 202 {"SipMediaApplicationCall":{"TransactionId":"..."}}
 *
 * Errors use the restJson1 shape (x-amzn-errortype header + {"Message"} body), which the SDK turns into its
 * typed exceptions (NotFoundException, BadRequestException). Argument values are task tokens: never logged.
 *
 * With an account (local/quota), the API's rate limits come first, as AWS's front door: a request over the
 * UpdateSipMediaApplicationCall (or CreateSipMediaApplicationCall) bucket gets 429 ThrottledClientException.
 * CreateSipMediaApplicationCall (POST to the calls collection) is only that gate: the emulator places no outbound calls, so an
 * admitted one is answered 501 NotImplemented.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock';
import { trackServer } from '../twin/clock-tracking';
import { RequestIds } from '../twin/request-ids';
import type { SeededRandom } from '../random';
import { FOREIGN_HOST_MESSAGE, isOwnHost, ownHosts } from '../twin/host-check';
import type { SmaEmulator } from '../sma/emulator';
import { SmaCallNotFoundError } from '../sma/errors';
import type { EmulatorLogger } from '../sma/types';
import type { QuotaAccount } from '../quota/account';

export interface ChimeVoiceServerOptions {
  /** The SIP media application it stands for is the only one there is: other ids get NotFoundException. */
  emulator: Pick<SmaEmulator, 'updateCall' | 'sipMediaApplicationId'> & Partial<Pick<SmaEmulator, 'updateCallFault'>>;
  /** The twin's clock: requests are work in flight for it. */
  clock?: Clock;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  logger?: EmulatorLogger;
  /** The account's quotas (none: no throttling). */
  account?: QuotaAccount;
  /** The run's stream for request ids (local/twin/request-ids.ts); without it, ids are random. */
  random?: SeededRandom;
}

export interface ChimeVoiceServer {
  endpoint: string;
  close(): Promise<void>;
}

/** UpdateSipMediaApplicationCall: Arguments has 0-20 entries (chime-sdk-voice API model). */
export const MAX_ARGUMENTS = 20;
const MAX_BODY_BYTES = 256 * 1024;
const ROUTE = /^\/sip-media-applications\/([^/]+)\/calls\/([^/]+)$/;
const CREATE_ROUTE = /^\/sip-media-applications\/([^/]+)\/calls$/;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export async function startChimeVoiceServer(options: ChimeVoiceServerOptions): Promise<ChimeVoiceServer> {
  const { emulator, host = '127.0.0.1', port = 0, logger, account } = options;
  const throttled = (api: 'UpdateSipMediaApplicationCall' | 'CreateSipMediaApplicationCall') =>
    new HttpError(429, 'ThrottledClientException', `Rate exceeded for ${api} (the twin's account quota)`);

  let own = new Set<string>();
  const requestIds = new RequestIds(options.random, options.clock);
  // A request's id derives from its content (task tokens left out) once that is read; before, from its method and path.
  const ids = new WeakMap<ServerResponse, string>();
  const idOf = (req: IncomingMessage, res: ServerResponse, status: number) =>
    ids.get(res) ?? requestIds.next(`${req.method}\u0000${req.url}\u0000${status}`);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'ServiceFailureException', 'Internal error');
      if (!(err instanceof HttpError)) logger?.error('chime endpoint error', { error: String(err instanceof Error ? err.name : err) });
      sendError(res, e, idOf(req, res, e.status));
    });
  });
  if (options.clock) trackServer(server, options.clock);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isOwnHost(req, own)) {
      res.shouldKeepAlive = false;
      throw new HttpError(421, 'MisdirectedRequest', FOREIGN_HOST_MESSAGE);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = ROUTE.exec(url.pathname);
    if (req.method === 'POST' && CREATE_ROUTE.test(url.pathname)) {
      await drain(req);
      if (account && !account.admit('CreateSipMediaApplicationCall')) throw throttled('CreateSipMediaApplicationCall');
      throw new HttpError(501, 'NotImplemented', 'The twin places no outbound calls (CreateSipMediaApplicationCall is only rate-limited)');
    }
    if (!match || req.method !== 'POST') {
      await drain(req);
      throw new HttpError(404, 'UnknownOperationException', `No operation ${req.method} ${url.pathname}`);
    }
    const smaId = decodeURIComponent(match[1]!);
    const transactionId = decodeURIComponent(match[2]!);
    if (account && !account.admit('UpdateSipMediaApplicationCall', transactionId)) {
      await drain(req);
      throw throttled('UpdateSipMediaApplicationCall');
    }
    const body = await readJson(req);
    const args = validateArguments(body);
    const { taskToken: _token, ...content } = args;
    ids.set(res, requestIds.next(`${smaId}\u0000${transactionId}\u0000${JSON.stringify(content)}`));
    if (smaId !== emulator.sipMediaApplicationId) throw new HttpError(404, 'NotFoundException', `SIP media application ${smaId} not found`);
    // faults.updateCall: the scenario's errors for this workflow step, before the request reaches the SMA.
    const fault = emulator.updateCallFault?.(transactionId, args.command);
    if (fault) throw new HttpError(fault.status, fault.errorType, `${fault.errorType} (scenario fault for ${args.command})`);
    try {
      emulator.updateCall(transactionId, args);
    } catch (err) {
      if (err instanceof SmaCallNotFoundError) throw new HttpError(404, 'NotFoundException', err.message, { cause: err });
      throw err;
    }
    // The argument count only: values are task tokens.
    logger?.info('UpdateSipMediaApplicationCall', { transactionId, arguments: Object.keys(args).length });
    send(res, 202, { SipMediaApplicationCall: { TransactionId: transactionId } }, idOf(req, res, 202));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  own = ownHosts(address);
  const hostPart = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${hostPart}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function validateArguments(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'BadRequestException', 'The request body must be a JSON object');
  const args = (body as Record<string, unknown>).Arguments;
  if (args === undefined) throw new HttpError(400, 'BadRequestException', 'Arguments is required');
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    throw new HttpError(400, 'BadRequestException', 'Arguments must be a map of strings');
  const entries = Object.entries(args);
  if (entries.length > MAX_ARGUMENTS)
    throw new HttpError(400, 'BadRequestException', `Arguments can contain 0-${MAX_ARGUMENTS} key-value pairs, got ${entries.length}`);
  const bad = entries.find(([, v]) => typeof v !== 'string');
  // Name the key, never the value.
  if (bad) throw new HttpError(400, 'BadRequestException', `Arguments value for key ${JSON.stringify(bad[0])} must be a string`);
  return Object.fromEntries(entries) as Record<string, string>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(400, 'BadRequestException', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'BadRequestException', 'The request body is not valid JSON');
  }
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // discard
  }
}

function send(res: ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: HttpError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, err.status, { Message: err.message }, requestId, { 'x-amzn-errortype': err.errorType });
}
