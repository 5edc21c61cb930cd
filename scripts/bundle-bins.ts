/**
 * The package's two executables, compiled for the tarball (run by `npm run build:package`, so by prepack): each is
 * one CommonJS file with its dependencies inside (commander, the AWS SDK clients; for the twin also s3rver and koa,
 * jsonata, dagre, the middleware), so an installed package runs them with Node alone, no tsx, and a production
 * install of the library does not get the twin's servers as dependencies (README, "What installs").
 *
 *   dist/bin/recording-workflow.js       cli/main.ts (bin/recording-workflow.js loads it)
 *   dist/bin/recording-twin.js           local/start.ts (bin/recording-twin.js)
 *   dist/bin/recording-workflow.asl.json the definition both read beside them (statemachines/definition.ts)
 *   dist/bin/web/                        the console's page with its script prebuilt (local/console/assets.ts)
 *   dist/bin/THIRD-PARTY-LICENSES.txt    the name, version and licence text of every package bundled into them
 *
 *   npx tsx scripts/bundle-bins.ts [--json]   (--json: the files and their sizes)
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { APP_BUILD_OPTIONS } from '../local/console/assets';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'dist', 'bin');

export async function bundleBins(): Promise<Array<{ file: string; bytes: number }>> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'web'), { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // Licence comments of the bundled packages are kept, at the end of each file.
    legalComments: 'eof',
    sourcemap: false,
    // esbuild builds the console's script only when no prebuilt one is there: never in the package.
    external: ['esbuild'],
    logLevel: 'warning',
    metafile: true,
  };
  const cli = await build({ ...common, entryPoints: [join(ROOT, 'cli', 'main.ts')], outfile: join(OUT, 'recording-workflow.js') });
  const twin = await build({ ...common, entryPoints: [join(ROOT, 'local', 'start.ts')], outfile: join(OUT, 'recording-twin.js') });
  writeFileSync(join(OUT, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses([cli.metafile!, twin.metafile!]));
  await build({
    ...APP_BUILD_OPTIONS,
    entryPoints: [join(ROOT, 'local', 'console', 'web', 'main.ts')],
    outfile: join(OUT, 'web', 'app.js'),
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'local', 'console', 'web', f), join(OUT, 'web', f));
  copyFileSync(join(ROOT, 'statemachines', 'recording-workflow.asl.json'), join(OUT, 'recording-workflow.asl.json'));
  return ['recording-workflow.js', 'recording-twin.js', 'web/app.js'].map((f) => ({
    file: relative(ROOT, join(OUT, f)),
    bytes: statSync(join(OUT, f)).size,
  }));
}

/** Every package folder (node_modules/NAME or node_modules/@SCOPE/NAME, nested too) an input came from. */
function thirdPartyLicenses(metafiles: Metafile[]): string {
  const dirs = new Set<string>();
  for (const m of metafiles)
    for (const input of Object.keys(m.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) dirs.add(match[1]!);
    }
  const entries = [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
    const file = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text =
      file && existsSync(join(ROOT, dir, file))
        ? readFileSync(join(ROOT, dir, file), 'utf8').trim()
        : `License: ${pkg.license ?? 'see the package'}`;
    return { id: `${pkg.name}@${pkg.version}`, text };
  });
  const unique = [...new Map(entries.map((e) => [e.id, e])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  return `The bins in this folder bundle these packages:\n\n${unique.map((e) => `${e.id}\n\n${e.text}\n`).join(`\n${'-'.repeat(72)}\n\n`)}`;
}

if (require.main === module) {
  bundleBins().then(
    (files) => {
      if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(files, null, 2)}\n`);
      else for (const f of files) process.stdout.write(`${f.file}  ${(f.bytes / 1024).toFixed(0)} KB\n`);
    },
    (e) => {
      process.stderr.write(`bundle-bins failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
