/**
 * The export after a run (local/scenario/export.ts): with the S3 twin's store (what `npm start` uses) it copies
 * every object without a GetObject round trip each (4,000 of them after a 2,000-call run took 140 s one at a
 * time through the API), skipping what a GetObject would not return, and writes the same bytes the API serves.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { EXPORT_CONCURRENCY, exportBucket } from '../../local/scenario/export';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { startTwin, type Twin } from '../../local/twin/twin';

const dir = mkdtempSync(join(tmpdir(), 'export-'));
let twin: Twin;
/** GetObject commands sent through the twin's S3 client, and the most in flight at once. */
const gets = { sent: 0, inFlight: 0, peak: 0 };

beforeAll(async () => {
  twin = await startTwin({ dataDir: join(dir, 'data'), seed: 11 });
  twin.s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'GetObjectCommand') return next(args);
      gets.sent++;
      gets.peak = Math.max(gets.peak, ++gets.inFlight);
      try {
        return await next(args);
      } finally {
        gets.inFlight--;
      }
    },
    { step: 'initialize', name: 'countGets' },
  );
  await runCalls(
    twin,
    parseScenario({
      calls: [
        ...Array.from({ length: 8 }, (_, i) => ({ name: `c${i}`, legs: (i % 2) + 1, durationSeconds: 20 + i })),
        // Refused to every reader (faults.verifyAccessDenied): not exported either way.
        { name: 'denied', durationSeconds: 20, faults: { verifyAccessDenied: true }, expect: { outcome: 'RECORDING_UNVERIFIED' } },
        // A key segment longer than a file name may be.
        { name: 'long-prefix', durationSeconds: 20, location: `call-recordings-local/${'p'.repeat(230)}` },
      ],
    }),
  );
}, 120_000);
afterAll(async () => {
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

function files(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => join(f.parentPath, f.name))
      .sort()
      .map((p) => [relative(folder, p), createHash('sha256').update(readFileSync(p)).digest('hex')]),
  );
}

it('from the store: no GetObject per object, the same files and bytes as through the API', async () => {
  gets.sent = 0;
  const direct = await exportBucket(twin.s3, twin.bucket, join(dir, 'direct'), { direct: twin.s3Direct });
  expect(gets.sent).toBe(0);

  const viaApi = await exportBucket(twin.s3, twin.bucket, join(dir, 'api'));
  expect(gets.sent).toBeGreaterThan(direct); // every object, and the refused one
  expect(direct).toBe(viaApi);
  // 9 recordings and 10 manifests (the denied call's recording is skipped; its manifest is exported).
  expect(direct).toBe(19);
  expect(files(join(dir, 'direct'))).toEqual(files(join(dir, 'api')));
  expect(Object.keys(files(join(dir, 'direct'))).some((p) => /\/p{50}~[0-9a-f]{16}\//.test(p))).toBe(true);
});

it(`through the API: at most ${EXPORT_CONCURRENCY} GetObject in flight`, async () => {
  gets.peak = 0;
  await exportBucket(twin.s3, twin.bucket, join(dir, 'api-2'));
  expect(gets.peak).toBeGreaterThan(0);
  expect(gets.peak).toBeLessThanOrEqual(EXPORT_CONCURRENCY);
});
