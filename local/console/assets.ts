/**
 * The page's assets, all served from this process (the page loads nothing from the network): index.html and
 * style.css as files, and the page's TypeScript bundled to one script. From the sources (a clone: `npm start`) it is
 * bundled by esbuild when the console starts (~100 ms, no build step to forget); the installed package's
 * recording-twin ships that script prebuilt (scripts/bundle-bins.ts writes web/app.js beside index.html), so
 * esbuild is not needed at run time and is loaded only when the script is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';

const WEB = join(__dirname, 'web');

export interface Asset {
  type: string;
  body: Buffer;
}

/** The page's script as esbuild makes it (the one set of options, used by scripts/bundle-bins.ts too). */
export const APP_BUILD_OPTIONS = {
  bundle: true,
  format: 'iife',
  target: ['chrome120', 'firefox120'],
  minify: true,
  sourcemap: false,
  logLevel: 'silent',
} as const satisfies Esbuild.BuildOptions;

async function appScript(): Promise<Buffer> {
  const prebuilt = join(WEB, 'app.js');
  if (existsSync(prebuilt)) return readFileSync(prebuilt);
  const { build } = require('esbuild') as typeof Esbuild;
  const bundled = await build({ ...APP_BUILD_OPTIONS, entryPoints: [join(WEB, 'main.ts')], write: false });
  return Buffer.from(bundled.outputFiles[0]!.contents);
}

export async function loadAssets(): Promise<Map<string, Asset>> {
  const file = (name: string) => readFileSync(join(WEB, name));
  return new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: file('index.html') }],
    ['/style.css', { type: 'text/css; charset=utf-8', body: file('style.css') }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: await appScript() }],
  ]);
}
