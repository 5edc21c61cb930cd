/**
 * The local console: a read-only web page over the twin's own APIs (Step Functions and S3 through the real
 * SDK clients), on 127.0.0.1. Static assets, and JSON routes that answer from those APIs:
 *
 *   GET /                                   the page (index.html, style.css, app.js)
 *   GET /api/graph                          the state machine laid out (graph.ts)
 *   GET /api/executions                     every execution as an audit row, with totals
 *   GET /api/executions/NAME                one execution: summary, path, history (tokens redacted)
 *   GET /api/executions/NAME/manifest       its audit manifest (S3 GetObject)
 *   GET /api/executions/NAME/recording      its recording, audio/wav with Range support (S3 GetObject)
 *
 * node:http is enough for six GET routes; a framework would add a dependency and nothing else.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { CallFlow } from '../scenario/call-flow';
import { FOREIGN_HOST_MESSAGE, isOwnHost, ownHosts } from '../twin/host-check';
import { loadAssets } from './assets';
import { ExecutionReader, NotFound } from './executions';
import { layoutGraph, type AslDefinition } from './graph';
import { holdRecordsOf } from '../../cli/call-objects';
import { readManifest, recordingExists, sendRecording } from './objects';

export interface ConsoleOptions {
  sfn: SFNClient;
  s3: S3Client;
  stateMachineArn: string;
  /** The rendered ASL (statemachines/definition.ts renderDefinition) the graph is drawn from. */
  definition: AslDefinition;
  /** Default 0: any free port. */
  port?: number;
  /** An execution's call flow (the twin's scenario runner knows it; shown beside the graph). */
  callFlow?: (executionName: string) => CallFlow | undefined;
}

export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

/** The page loads only from this origin: a stray external reference fails in the browser instead of leaking. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const EXECUTION_ROUTE = /^\/api\/executions\/([^/]+)(?:\/(manifest|recording))?$/;

/** decodeURIComponent, or undefined where it would throw URIError (`%`, `%E0%A4%A`): a bad request, not a failure. */
function decodeOrUndefined(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export async function startConsoleServer(options: ConsoleOptions): Promise<ConsoleServer> {
  const assets = await loadAssets();
  const graph = JSON.stringify(layoutGraph(options.definition));
  const reader = new ExecutionReader(options.sfn, options.stateMachineArn, options.callFlow);
  let own = new Set<string>();

  const json = (res: ServerResponse, status: number, body: unknown): void =>
    void res
      .writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(typeof body === 'string' ? body : JSON.stringify(body));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Only this machine's own names: another site's page must not reach the console through DNS rebinding.
    if (!isOwnHost(req, own)) return json(res, 421, { error: FOREIGN_HOST_MESSAGE });
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'read-only: only GET' });
    const path = new URL(req.url ?? '/', 'http://console').pathname;
    const asset = assets.get(path === '/index.html' ? '/' : path);
    if (asset) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': asset.type,
        'Content-Length': asset.body.length,
        'Cache-Control': 'no-cache',
      });
      return void res.end(req.method === 'HEAD' ? undefined : asset.body);
    }
    if (path === '/api/graph') return json(res, 200, graph);
    if (path === '/api/executions') return json(res, 200, await reader.list());
    const m = EXECUTION_ROUTE.exec(path);
    if (!m) return json(res, 404, { error: `no such page: ${path}` });
    const name = decodeOrUndefined(m[1]);
    if (name === undefined) return json(res, 400, { error: `malformed percent-encoding in ${path}` });
    const { view, summary } = await reader.one(name);
    if (!m[2]) {
      // Legal holds and releases (issue 24): the records `recording-workflow hold | release` keeps beside the manifest.
      const bucket = summary.location?.split('/')[0];
      const holds = bucket && summary.manifestKey ? await holdRecordsOf(options.s3, bucket, summary.manifestKey) : [];
      return json(res, 200, { ...view, row: { ...view.row, holds }, hasRecording: await recordingExists(options.s3, summary) });
    }
    if (m[2] === 'manifest') {
      const manifest = await readManifest(options.s3, summary);
      return manifest === undefined ? json(res, 404, { error: `no audit manifest for ${summary.name}` }) : json(res, 200, manifest);
    }
    if (!(await sendRecording(options.s3, summary, req.headers.range, res))) json(res, 404, { error: `no recording for ${summary.name}` });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((e: Error) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof NotFound) return json(res, 404, { error: e.message });
      json(res, 502, { error: `${e.name}: ${e.message}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  own = ownHosts(server.address() as AddressInfo);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
