/**
 * Tells the twin's discrete-event clock about work in flight that crosses a socket: a request is work from the
 * moment a client sends it until its response is read (client side), and from the moment a server sees it until
 * its response is written (server side, for clients the twin did not make: tests, the CLI).
 */
import type { Server } from 'node:http';
import type { Clock } from '../clock';

type Next = (args: unknown) => Promise<unknown>;
/** Any AWS SDK v3 client (their stacks differ only in the input and output types, which this ignores). */
interface MiddlewareClient {
  middlewareStack: { add(middleware: any, options: any): void };
}

/** Every command sent through `client` holds the clock until it settles. */
export function trackClient<C extends MiddlewareClient>(client: C, clock: Clock): C {
  client.middlewareStack.add(
    (next: Next) => async (args: unknown) => {
      const done = clock.busy();
      try {
        return await next(args);
      } finally {
        done();
      }
    },
    { step: 'initialize', name: 'twinClockTracking', priority: 'high' },
  );
  return client;
}

/** Every request `server` receives holds the clock until its response is finished (or the socket closes). */
export function trackServer(server: Server, clock: Clock): void {
  server.prependListener('request', (_req, res) => {
    const done = clock.busy();
    res.once('finish', done);
    res.once('close', done);
  });
}
