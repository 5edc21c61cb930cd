/**
 * `recording-twin --handler FILE[#export]`: the user's own SMA Lambda handler (bundled or plain JavaScript, CommonJS
 * or ES module) as the twin's SMA application. It is loaded after the twin is up, with the environment it would
 * have in AWS pointed at the twin (lambdaEnvironment in twin.ts), so a client it makes at load time reaches the twin.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export type UserHandler = (event: unknown, context: object) => unknown;

export class HandlerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HandlerError';
  }
}

/** `dist/handler.js#main` -> the file (resolved from `cwd`) and the export's name (default `handler`). */
export function parseHandlerSpec(spec: string, cwd = process.cwd()): { file: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  const file = resolve(cwd, hash === -1 ? spec : spec.slice(0, hash));
  const exportName = hash === -1 ? 'handler' : spec.slice(hash + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new HandlerError(`--handler: "${exportName}" is not an export name (FILE#name)`);
  if (!existsSync(file) || !statSync(file).isFile()) throw new HandlerError(`--handler: no file ${file}`);
  return { file, exportName };
}

// A real dynamic import, which tsc's CommonJS output and esbuild's CJS bundle would otherwise turn into require().
const importModule = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;

/** Loads the module (require first: CommonJS and bundles; import() for an ES module) and returns the export. */
export async function loadUserHandler(spec: string, cwd = process.cwd()): Promise<UserHandler> {
  const { file, exportName } = parseHandlerSpec(spec, cwd);
  let mod: Record<string, unknown>;
  try {
    mod = require(file) as Record<string, unknown>;
  } catch (e) {
    // An ES module: require() refuses it (Node 20 before 20.19, or top-level await) or fails on its syntax.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE' && !(e instanceof SyntaxError))
      throw new HandlerError(`--handler: ${file} failed to load: ${(e as Error).message}`, { cause: e });
    mod = await importModule(pathToFileURL(file).href).catch((e2: unknown) => {
      throw new HandlerError(`--handler: ${file} failed to load: ${(e2 as Error).message}`, { cause: e2 });
    });
  }
  const fromDefault = (mod.default as Record<string, unknown> | undefined)?.[exportName];
  const handler = mod[exportName] ?? fromDefault;
  if (typeof handler !== 'function') {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new HandlerError(
      `--handler: ${file} exports no function "${exportName}"${names.length ? ` (functions: ${names.join(', ')}; pick one with FILE#name)` : ''}`,
    );
  }
  return handler as UserHandler;
}
