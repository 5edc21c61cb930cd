/**
 * Headless Chromium for the console's tests, from the npm package @sparticuz/chromium (a devDependency: the
 * browser ships inside the registry tarball, Brotli-compressed; `npm ci` downloads nothing else and runs no
 * install script). Driven by playwright-core, in a fresh profile that is removed afterwards. No system browser is
 * looked for: `npm ci && npm test` needs Node alone. CHROMIUM_PATH still names another binary on purpose.
 *
 * The package's own executablePath() unpacks into a shared /tmp/chromium that it trusts whatever wrote it (another
 * project's version, a half-written file), so the binary, the shared libraries it needs beyond glibc (NSS, NSPR,
 * expat: the package's al2023 set) and a font are unpacked here instead, once per package version, into
 * node_modules/.cache, by a rename so that two test workers never see a half-written browser.
 *
 * The flags keep the browser off the network (no background updates, sync or QUIC probes): the only server it
 * talks to is the console's.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { chromium, type BrowserContext } from 'playwright-core';
import { untar } from './untar';

// The package's exports hide package.json: its entry is build/cjs/index.cjs.
const PACKAGE_DIR = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
export const CHROMIUM_CACHE = join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'console-chromium', PACKAGE_VERSION);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Muted media may play without a user gesture anyway; this makes the audio test independent of that policy.
  '--autoplay-policy=no-user-gesture-required',
];

export interface PackagedChromium {
  executablePath: string;
  env: Record<string, string>;
}

/** Unpacks the packaged browser (once per version) and says how to run it. */
export function packagedChromium(cache = CHROMIUM_CACHE): PackagedChromium {
  if (!existsSync(join(cache, 'chromium'))) {
    mkdirSync(dirname(cache), { recursive: true });
    const work = mkdtempSync(`${cache}.partial-`);
    try {
      const bin = join(PACKAGE_DIR, 'bin');
      writeFileSync(join(work, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))), { mode: 0o755 });
      untar(brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br'))), work); // lib/*.so
      untar(brotliDecompressSync(readFileSync(join(bin, 'fonts.tar.br'))), work); // fonts/Open_Sans/*.ttf
      writeFileSync(
        join(work, 'fonts.conf'),
        `<?xml version="1.0"?>\n<fontconfig><dir>${join(cache, 'fonts')}</dir><cachedir>${join(cache, 'fonts-cache')}</cachedir></fontconfig>\n`,
      );
      renameSync(work, cache);
    } catch (e) {
      rmSync(work, { recursive: true, force: true });
      // Another worker renamed its copy first: use that one.
      if (!existsSync(join(cache, 'chromium'))) throw e;
    }
  }
  return {
    executablePath: join(cache, 'chromium'),
    env: { LD_LIBRARY_PATH: join(cache, 'lib'), FONTCONFIG_FILE: join(cache, 'fonts.conf') },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const own = process.env.CHROMIUM_PATH;
  const packaged = own ? undefined : packagedChromium();
  const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: own ?? packaged?.executablePath,
    env: { ...process.env, ...packaged?.env } as Record<string, string>,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
