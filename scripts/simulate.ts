/**
 * `npm run simulate -- --calls 10000 --seed S`: a simulation campaign through the local twin (local/simulation/):
 * every call draws faults of every kind the scenario format knows, combined, and is checked against the
 * invariants as it ends. A broken invariant prints the seed, the call, its faults, and the one line that replays
 * that call alone (`--only I`: call I of seed S is the same call whatever the campaign's size).
 *
 * The calls are split over `--shards` processes (default: one per core), each with its own twin: calls are
 * independent, and each is a function of (seed, index), so the split does not change any result.
 * Exit codes: 0 every invariant holds, 1 one does not, 2 bad arguments.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { elideLongRuns, integerIn, parseCommandLine, seedOption, type Io } from '../cli/command-line';
import { DataDirError, claimDataDir, type DataDirClaim } from '../local/twin/data-dir';
import { freshSeed } from '../local/random';
import { runCampaign, type CampaignReport } from '../local/simulation/campaign';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const DEFAULT_DATA_DIR = join(__dirname, '..', '.data', 'simulate');
const MAX_CALLS = 1_000_000;
/**
 * A shard makes short-lived garbage at a high rate (requests, events, log lines): with V8's default young generation
 * (16 MB semi-spaces) it ran a scavenge every few milliseconds. Larger semi-spaces cut the collector's share of the
 * CPU (docs/benchmarks.md, "The twin") for about 100 MB more RSS per shard.
 */
export const SHARD_V8_FLAGS = ['--max-semi-space-size=32'];

interface Options {
  calls: number;
  seed?: number;
  only?: number;
  shards?: number;
  concurrency: number;
  dataDir: string;
  json?: boolean;
}

/** Merges the shards' reports into one. */
export function mergeReports(
  seed: number,
  reports: CampaignReport[],
  wallSeconds: number,
): CampaignReport & { shards: number; cpuMsPerCall: number } {
  const outcomes: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const calls = reports.reduce((s, r) => s + r.calls, 0);
  const cpuSeconds = reports.reduce((s, r) => s + r.cpuSeconds, 0);
  return {
    seed,
    calls,
    outcomes: Object.fromEntries(Object.entries(outcomes).sort()),
    violations: reports.flatMap((r) => r.violations).sort((a, b) => a.index - b.index),
    lateUntagged: reports.reduce((s, r) => s + r.lateUntagged, 0),
    wallSeconds,
    cpuSeconds,
    cpuMsPerCall: calls ? (cpuSeconds * 1000) / calls : 0,
    peakRssMb: Math.max(0, ...reports.map((r) => r.peakRssMb)),
    steps: reports.reduce((s, r) => s + r.steps, 0),
    shards: reports.length,
  };
}

export function formatReport(r: ReturnType<typeof mergeReports>, calls: number): string {
  const lines = [
    `simulation: ${r.calls} calls, seed ${r.seed}, ${r.shards} shard(s), ${r.wallSeconds.toFixed(1)} s wall, ${r.cpuMsPerCall.toFixed(1)} ms CPU per call, peak RSS ${r.peakRssMb} MB per shard`,
    `outcomes: ${Object.entries(r.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `late recordings left untagged, named in their manifest (known gap): ${r.lateUntagged}`,
    `broken invariants: ${r.violations.length}`,
  ];
  for (const v of r.violations.slice(0, 20)) {
    lines.push(`  seed ${r.seed}, call ${v.name} [${v.kinds.join(' + ')}]: ${v.invariant}: ${v.detail}`);
    if (v.index >= 0) lines.push(`    replay: npm run simulate -- --seed ${r.seed} --only ${v.index}`);
  }
  if (r.violations.length > 20) lines.push(`  ... and ${r.violations.length - 20} more (--json lists them all)`);
  lines.push(r.violations.length === 0 ? `PASS: every invariant holds over ${calls} call(s)` : 'FAIL: an invariant does not hold');
  return lines.join('\n');
}

function runShard(script: string, args: string[]): Promise<CampaignReport> {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--import', 'tsx', ...SHARD_V8_FLAGS] });
    let report: CampaignReport | undefined;
    child.on('message', (m) => (report = m as CampaignReport));
    child.on('error', reject);
    child.on('exit', (code) => (report ? resolve(report) : reject(new Error(`shard ${args.join(' ')} exited ${code} without a report`))));
  });
}

export async function main(argv: string[], io: Io = process): Promise<number> {
  const program = new Command('npm run simulate --')
    .description('A simulation campaign: N calls with combined faults drawn from a seed, each checked against the invariants')
    .option('--calls <n>', `number of calls (1-${MAX_CALLS})`, integerIn('--calls', 1, MAX_CALLS), 1000)
    .option('--seed <n>', 'seed of the campaign (default: a fresh one, printed)', seedOption('--seed'))
    .option('--only <i>', 'replay call I of the seed alone (what a broken invariant prints)', integerIn('--only', 0, MAX_CALLS))
    .option('--shards <n>', 'processes to split the calls over (default: one per core)', integerIn('--shards', 1, 16))
    .option('--concurrency <n>', 'calls in flight per shard', integerIn('--concurrency', 1, 2000), 200)
    .option('--data-dir <dir>', "the twins' own data folder (created with a marker, emptied at start)", DEFAULT_DATA_DIR)
    .option('--json', 'print the report as JSON')
    .addOption(new Command().createOption('--shard <k/n>', 'internal: run shard k of n and report to the parent').hideHelp());
  const exit = parseCommandLine(program, argv, io);
  if (exit !== undefined) return exit;
  const opts = program.opts<Options & { shard?: string }>();
  const seed = opts.seed ?? freshSeed();

  if (opts.shard) {
    const [k, n] = opts.shard.split('/').map(Number);
    const indices = Array.from({ length: Math.ceil((opts.calls - k) / n) }, (_, j) => k + j * n);
    const report = await runCampaign({ seed, indices, dataDir: join(opts.dataDir, `shard-${k}`), concurrency: opts.concurrency });
    process.send?.(report);
    return 0;
  }

  // The folder is claimed (marker, lock) before anything is made in it; each shard's twin has a folder inside.
  let claim: DataDirClaim;
  try {
    claim = await claimDataDir(opts.dataDir, { wipe: true });
  } catch (e) {
    if (e instanceof DataDirError) {
      io.stderr.write(elideLongRuns(`error: --data-dir ${e.message}`) + '\n');
      return 2;
    }
    throw e;
  }
  const t0 = performance.now();
  let reports: CampaignReport[];
  try {
    if (opts.only !== undefined) {
      reports = [await runCampaign({ seed, indices: [opts.only], dataDir: join(opts.dataDir, 'replay') })];
    } else {
      const shards = Math.min(opts.shards ?? availableParallelism(), opts.calls);
      io.stderr.write(`simulation: ${opts.calls} calls, seed ${seed}, ${shards} shard(s)\n`);
      const common = [
        '--calls',
        String(opts.calls),
        '--seed',
        String(seed),
        '--concurrency',
        String(opts.concurrency),
        '--data-dir',
        opts.dataDir,
      ];
      reports = await Promise.all(Array.from({ length: shards }, (_, k) => runShard(__filename, [...common, '--shard', `${k}/${shards}`])));
    }
  } finally {
    await claim.release();
  }
  const merged = mergeReports(seed, reports, (performance.now() - t0) / 1000);
  io.stdout.write((opts.json ? JSON.stringify(merged, null, 2) : formatReport(merged, merged.calls)) + '\n');
  return merged.violations.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`simulation failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
