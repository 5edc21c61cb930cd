/**
 * DNS rebinding: a web page on another site can make the browser resolve its own host name to 127.0.0.1 and then
 * send requests to a loopback server, with its own name in the Host header. A loopback server that answers any
 * Host would let that page start executions or complete task tokens. The twin's servers (Step Functions, Chime,
 * S3, the console) answer only requests addressed to the names of the address they listen on; anything else gets
 * 421 Misdirected Request before the request is read.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The Host header values a server listening at `address` answers to. */
export function ownHosts(address: AddressInfo): Set<string> {
  const port = address.port;
  const ip = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  const names = new Set([`${ip}:${port}`]);
  // localhost names the loopback address (both families); a wildcard bind is reached by the loopback names too.
  if (['127.0.0.1', '::1', '0.0.0.0', '::'].includes(address.address))
    for (const n of ['localhost', '127.0.0.1', '[::1]']) names.add(`${n}:${port}`);
  return names;
}

/** Whether `req` is addressed to this server (Host is one of `own`, case aside). */
export function isOwnHost(req: Pick<IncomingMessage, 'headers'>, own: ReadonlySet<string>): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && own.has(host.toLowerCase());
}

export const FOREIGN_HOST_MESSAGE = 'unexpected Host header: this local twin answers only to its own loopback address';
