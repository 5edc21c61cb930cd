/**
 * How long the CLI waits on an endpoint. The SDK's defaults wait forever for an endpoint that accepts a
 * connection and never answers (a stuck proxy, a wrong port, a twin stopped in a debugger); each request is
 * bounded here, connecting and answering, and a request that runs out of time is reported naming the endpoint.
 * The SDK retries a timed-out request like any transient error (the clients' maxAttempts), so a command gives up
 * after at most maxAttempts x (connect + answer) plus the SDK's backoff.
 */
import { CliError, EXIT_FAILED } from './errors';

/** Default bound on one answer (--timeout), in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 20;
/** Connecting is bounded by this, or by --timeout when that is shorter. */
export const CONNECT_TIMEOUT_SECONDS = 5;

export interface Bounds {
  connectMs: number;
  requestMs: number;
}

export function boundsFor(timeoutSeconds = DEFAULT_TIMEOUT_SECONDS): Bounds {
  const requestMs = Math.round(timeoutSeconds * 1000);
  return { connectMs: Math.min(CONNECT_TIMEOUT_SECONDS * 1000, requestMs), requestMs };
}

/** The client option that makes the SDK's NodeHttpHandler enforce the bounds (it only warns without throwOnRequestTimeout). */
export const requestHandlerFor = (b: Bounds) => ({
  connectionTimeout: b.connectMs,
  requestTimeout: b.requestMs,
  throwOnRequestTimeout: true,
});

interface StackClient {
  middlewareStack: { add(middleware: any, options: any): void };
}
type Next = (args: any) => Promise<any>;

/** A timed-out request becomes a CliError naming the endpoint it was sent to (and the service, `what`). */
export function nameEndpointOnTimeout<C extends StackClient>(client: C, what: string, b: Bounds): C {
  client.middlewareStack.add(
    (next: Next, context: Record<string, unknown>) =>
      async (args: { request?: { protocol?: string; hostname?: string; port?: number } }) => {
        const r = args.request;
        if (r?.hostname) context.cliEndpoint = `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}`;
        return next(args);
      },
    { step: 'finalizeRequest', name: 'cliRecordEndpoint', priority: 'low' },
  );
  client.middlewareStack.add(
    (next: Next, context: Record<string, unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (e) {
        if ((e as Error)?.name !== 'TimeoutError') throw e;
        const connecting = /establish a connection/.test((e as Error).message);
        const where = typeof context.cliEndpoint === 'string' ? context.cliEndpoint : 'the endpoint';
        throw new CliError(
          connecting
            ? `cannot reach the ${what} endpoint ${where}: no connection within ${b.connectMs / 1000} s`
            : `no answer from the ${what} endpoint ${where} within ${b.requestMs / 1000} s (--timeout)`,
          EXIT_FAILED,
          { cause: e },
        );
      }
    },
    { step: 'initialize', name: 'cliTimeoutMessage', priority: 'high' },
  );
  return client;
}
