/**
 * The page's assets, all served from this process (the page loads nothing from the network): index.html and
 * style.css as files, and the page's TypeScript bundled to one script by esbuild when the console starts
 * (esbuild is already the project's bundler; ~100 ms, and no build step to forget before `npm start`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const WEB = join(__dirname, 'web');

export interface Asset {
  type: string;
  body: Buffer;
}

export async function loadAssets(): Promise<Map<string, Asset>> {
  const bundled = await build({
    entryPoints: [join(WEB, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: ['chrome120', 'firefox120'],
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  const file = (name: string) => readFileSync(join(WEB, name));
  return new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: file('index.html') }],
    ['/style.css', { type: 'text/css; charset=utf-8', body: file('style.css') }],
    ['/app.js', { type: 'text/javascript; charset=utf-8', body: Buffer.from(bundled.outputFiles[0].contents) }],
  ]);
}
