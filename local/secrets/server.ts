/**
 * The twin's Secrets Manager: GetSecretValue only (AWS JSON 1.1, `X-Amz-Target: secretsmanager.GetSecretValue`), for
 * the secrets the twin makes (the caller index's HMAC key). Written by hand: the one action the caller-key function
 * and the erasure CLI ask for is smaller than any stand-in package. Any other action is refused (400), as is a
 * secret it does not have: ResourceNotFoundException, as Secrets Manager answers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock';
import { trackServer } from '../twin/clock-tracking';
import { FOREIGN_HOST_MESSAGE, isOwnHost, ownHosts } from '../twin/host-check';

export interface SecretsServer {
  endpoint: string;
  close(): Promise<void>;
}

export async function startSecretsServer(options: {
  secrets: Record<string, string>;
  region: string;
  accountId: string;
  clock?: Clock;
}): Promise<SecretsServer> {
  const own = new Set<string>();
  const arnOf = (name: string) => `arn:aws:secretsmanager:${options.region}:${options.accountId}:secret:${name}`;
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(body));
    };
    if (!isOwnHost(req, own)) {
      res.writeHead(421, { 'content-type': 'text/plain', connection: 'close' });
      res.end(FOREIGN_HOST_MESSAGE);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
        return reply(400, { __type: 'InvalidRequestException', message: 'the twin answers secretsmanager.GetSecretValue only' });
      let id: unknown;
      try {
        id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId;
      } catch {
        return reply(400, { __type: 'SerializationException', message: 'request body is not JSON' });
      }
      const name = Object.keys(options.secrets).find((n) => n === id || arnOf(n) === id);
      if (!name) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      reply(200, {
        ARN: arnOf(name),
        Name: name,
        SecretString: options.secrets[name],
        VersionId: '00000000-0000-4000-8000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      });
    });
  });
  if (options.clock) trackServer(server, options.clock);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  for (const h of ownHosts(address)) own.add(h);
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
