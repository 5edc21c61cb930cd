/**
 * What a production install gets (README, "What installs"): the package's `dependencies` are exactly the packages
 * its library entries (package.json `exports`) import at run time, and its peers (aws-cdk-lib, constructs) those
 * of the construct. The twin's and the CLI's packages (s3rver, koa, jsonata, dagre, commander, ...) are inside the
 * compiled bins (scripts/bundle-bins.ts) and only devDependencies here. esbuild follows the imports from the sources
 * that tsc compiles to dist/, with every package left external, and names each package it reached.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const ENTRIES = {
  middleware: 'lambdas/middleware.ts',
  construct: 'infra/construct/index.ts',
  workflow: 'statemachines/index.ts',
  'caller-key': 'lambdas/caller-index/handler.ts',
};

async function packagesOf(entry: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'node',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const names = Object.values(metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((i) => i.external && !i.path.startsWith('node:'))
    .map((i) => (i.path.startsWith('@') ? i.path.split('/').slice(0, 2).join('/') : i.path.split('/')[0]!));
  return [...new Set(names)].sort();
}

it('dependencies are what the library entries import, and nothing of the twin', async () => {
  const used = new Map<string, string[]>();
  for (const [name, entry] of Object.entries(ENTRIES)) used.set(name, await packagesOf(entry));
  const all = [...new Set([...used.values()].flat())].sort();
  expect(all).toEqual([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)].sort());
  expect(used.get('construct')).toEqual(['aws-cdk-lib', 'constructs']);
  // (@aws-sdk/client-s3 is the middleware's since issue 21: the hand-off mailbox.)
  for (const twinOnly of ['s3rver', 'jsonata', '@dagrejs/dagre', 'commander', 'pure-rand', 'uuid', 'esbuild']) {
    expect(pkg.dependencies).not.toHaveProperty([twinOnly]);
    expect(pkg.devDependencies).toHaveProperty([twinOnly]);
  }
});
