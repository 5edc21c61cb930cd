#!/usr/bin/env node
/**
 * Bundles the SMA Lambda the way infra/sma-function.ts has CDK's NodejsFunction do it (esbuild, CommonJS,
 * minified, no source map, every dependency including the AWS SDK bundled), so `npm run build` and
 * `npm run bench` measure the artifact that is deployed. Differences, on purpose: target node20 (this
 * machine's Node; the deployed runtime is node24) and a metafile for the size breakdown.
 *
 *   node scripts/bundle.mjs                                  -> dist/sma-handler/index.js
 *   node scripts/bundle.mjs --entry F --outfile O [--json]   any entry (bench: the bare middy handler)
 *
 * With --json, prints {"outfile","bytes","inputs":[{"path","bytes"}...]} (largest inputs first).
 */
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Options of infra/sma-function.ts `bundling`, as esbuild options (CDK adds bundle + platform node). */
export const SMA_BUNDLE_OPTIONS = Object.freeze({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  external: [], // externalModules: [] and bundleAwsSDK: true
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});

export async function bundle({
  entry = join(ROOT, 'lambdas', 'sma-handler', 'index.ts'),
  outfile = join(ROOT, 'dist', 'sma-handler', 'index.js'),
} = {}) {
  const result = await build({ ...SMA_BUNDLE_OPTIONS, entryPoints: [entry], outfile, metafile: true });
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output.inputs)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { outfile, bytes: statSync(outfile).size, inputs };
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entry = arg('--entry');
  const outfile = arg('--outfile');
  bundle({ ...(entry ? { entry } : {}), ...(outfile ? { outfile } : {}) }).then(
    (r) => {
      if (process.argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
      else process.stdout.write(`${relative(process.cwd(), r.outfile)}: ${r.bytes} bytes\n`);
    },
    (e) => {
      process.stderr.write(`bundle failed: ${e.message}\n`);
      process.exit(1);
    },
  );
}
