/**
 * The soak (scripts/soak.ts) in CI: a small N with a fixed seed, every invariant checked by the script itself
 * (outcome per fault, nothing left RUNNING, one execution per transaction, every landed recording tagged with
 * its outcome). The large run (1,000 calls) is `npm run soak`; its numbers are in docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_KINDS, main, mulberry32, soakCalls } from '../../scripts/soak';

const dir = mkdtempSync(join(tmpdir(), 'soak-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the fault sequence', () => {
  it('is reproducible from the seed and differs between seeds', () => {
    const a = soakCalls(200, 42, 435).map((c) => [c.kind, c.legs, c.track, c.durationSeconds, c.location]);
    expect(soakCalls(200, 42, 435).map((c) => [c.kind, c.legs, c.track, c.durationSeconds, c.location])).toEqual(a);
    expect(soakCalls(200, 43, 435).map((c) => [c.kind, c.legs, c.track, c.durationSeconds, c.location])).not.toEqual(a);
  });

  it('draws every fault kind over 1,000 calls, each with an expected outcome', () => {
    const calls = soakCalls(1000, 1, 435);
    const kinds = new Set(calls.map((c) => c.kind.replace(/ \+ duplicate events$/, '')));
    expect([...kinds].sort()).toEqual(FAULT_KINDS.map((k) => k.name).sort());
    expect(calls.some((c) => c.kind.endsWith('+ duplicate events'))).toBe(true);
    for (const c of calls) expect(c.expect?.outcome).toEqual(expect.any(String));
  });

  it('mulberry32 gives uniform draws in [0, 1)', () => {
    const rnd = mulberry32(7);
    const draws = Array.from({ length: 10_000 }, rnd);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((s, x) => s + x, 0) / draws.length).toBeCloseTo(0.5, 1);
  });
});

describe('npm run soak -- --calls 40', () => {
  it('holds every invariant and exits 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['--calls', '40', '--seed', '7', '--concurrency', '40', '--data-dir', join(dir, 'data'), '--json'], {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
    });
    const report = JSON.parse(out.join(''));
    if (code !== 0) throw new Error(`soak exited ${code}: ${JSON.stringify({ ...report, outcomes: report.outcomes }, null, 2)}`);
    expect(report.calls).toBe(40);
    expect(Object.values(report.outcomes as Record<string, number>).reduce((s, n) => s + n, 0)).toBe(40);
    expect(report).toEqual(expect.objectContaining({ runningExecutions: 0, unmarkedRecordings: [], tagMismatches: [], duplicateExecutions: [], outcomeMismatches: [], passed: true }));
    // Seed 7 draws several outcomes; the point is the invariants across them, not one path.
    expect(Object.keys(report.outcomes).length).toBeGreaterThanOrEqual(4);
  }, 90_000);

  it('bad arguments exit 2', async () => {
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    expect(await main(['--calls', '0'], io)).toBe(2);
    expect(await main(['--seed', 'x'], io)).toBe(2);
  });
});
