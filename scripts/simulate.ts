/**
 * `npm run simulate -- --calls 10000 --seed S`: a simulation campaign through the local twin (local/simulation/):
 * every call draws faults of every kind the scenario format knows, combined, and is checked against the
 * invariants as it ends. A broken invariant prints the seed, the call, its faults, and the one line that replays
 * that call alone (`--only I`: call I of seed S is the same call whatever the campaign's size).
 *
 * The calls are split over `--shards` processes (default: one per core), each with its own twin: calls are
 * independent, and each is a function of (seed, index), so the split does not change any result.
 * Exit codes: 0 every invariant holds, 1 one does not, 2 bad arguments.
 *
 * A load campaign (issue 21, local/simulation/load.ts): `--arrivals rate:5/s --minutes 30` or `burst:1000/60s`,
 * `--call-seconds 60-600`, `--on-demand 0.3`, `--faults none|mix`, against one account's quotas (`--quota`,
 * default AWS's with active calls raised; the fault campaign without --arrivals has none unless given). The
 * account is split exactly over the shards (quotas.ts splitQuota; `--shards 1` is the account itself), and the
 * report adds updatesPerCall, peakUpdateRate, throttled, startFailedByThrottling and answerToRecordingStart.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { elideLongRuns, integerIn, parseCommandLine, positive, seedOption, type Io } from '../cli/command-line';
import { DataDirError, claimDataDir, type DataDirClaim } from '../local/twin/data-dir';
import { freshSeed } from '../local/random';
import { runCampaign, type CampaignReport } from '../local/simulation/campaign';
import { TWIN_DEFAULT_QUOTAS, formatQuota, quotaOption, splitQuota, type QuotaSettings } from '../local/quota/quotas';
import { describeQuota } from '../local/quota/scenario-quota';
import {
  DEFAULT_CALL_SECONDS,
  parseArrivals,
  parseCallSeconds,
  parseFaultsMode,
  parseShare,
  type LoadOptions,
} from '../local/simulation/load';
import { formatLoad, mergeLoad, type LoadReport } from '../local/simulation/load-report';
import { InvalidArgumentError } from 'commander';

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
  arrivals?: string;
  minutes?: number;
  callSeconds?: [number, number];
  onDemand?: number;
  faults: 'none' | 'mix';
  quota?: QuotaSettings | null;
}

function sumCounts(all: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort());
}

function formatCounts(c: Record<string, number>): string {
  return (
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none'
  );
}

/** Merges the shards' reports into one. */
export function mergeReports(
  seed: number,
  reports: CampaignReport[],
  wallSeconds: number,
  /** The account's UpdateSipMediaApplicationCall rate, for the bound it sets on an on-demand start (none: no quota). */
  updateRate?: number,
): CampaignReport & { shards: number; cpuMsPerCall: number } & Partial<LoadReport> {
  const outcomes: Record<string, number> = {};
  for (const r of reports) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
  const calls = reports.reduce((s, r) => s + r.calls, 0);
  const cpuSeconds = reports.reduce((s, r) => s + r.cpuSeconds, 0);
  return {
    seed,
    calls,
    outcomes: Object.fromEntries(Object.entries(outcomes).sort()),
    violations: reports.flatMap((r) => r.violations).sort((a, b) => a.index - b.index),
    lateLandings: sumCounts(reports.map((r) => r.lateLandings)),
    reconciled: sumCounts(reports.map((r) => r.reconciled)),
    wallSeconds,
    cpuSeconds,
    cpuMsPerCall: calls ? (cpuSeconds * 1000) / calls : 0,
    peakRssMb: Math.max(0, ...reports.map((r) => r.peakRssMb)),
    steps: reports.reduce((s, r) => s + r.steps, 0),
    shards: reports.length,
    ...(reports.some((r) => r.load)
      ? mergeLoad(
          reports.flatMap((r) => (r.load ? [r.load] : [])),
          updateRate,
        )
      : {}),
    load: undefined,
  };
}

/** `replay`: the options a replay line needs beside the seed (a load campaign's, which make call I what it is). */
export function formatReport(r: ReturnType<typeof mergeReports>, calls: number, replay = ''): string {
  const lines = [
    `simulation: ${r.calls} calls, seed ${r.seed}, ${r.shards} shard(s), ${r.wallSeconds.toFixed(1)} s wall, ${r.cpuMsPerCall.toFixed(1)} ms CPU per call, peak RSS ${r.peakRssMb} MB per shard`,
    `outcomes: ${Object.entries(r.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `recordings reconciled (S3 events): ${formatCounts(r.reconciled)}`,
    `late landings (tagged and manifested by the Reconcile branch): ${Object.values(r.lateLandings).reduce((a, b) => a + b, 0)}${Object.keys(r.lateLandings).length ? ` (${formatCounts(r.lateLandings)})` : ''}`,
    ...(r.updatesPerCall ? formatLoad(r as LoadReport) : []),
    `broken invariants: ${r.violations.length}`,
  ];
  for (const v of r.violations.slice(0, 20)) {
    lines.push(`  seed ${r.seed}, call ${v.name} [${v.kinds.join(' + ')}]: ${v.invariant}: ${v.detail}`);
    if (v.index >= 0) lines.push(`    replay: npm run simulate -- --seed ${r.seed} --only ${v.index}${replay}`);
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
    .option('--arrivals <spec>', 'a load campaign: rate:R/s (with --minutes) or burst:N/Ss, calls arriving in virtual time')
    .option('--minutes <m>', 'with --arrivals rate:R/s: how long calls keep arriving', positive('--minutes', false))
    .option(
      '--call-seconds <min-max>',
      `with --arrivals and --faults none: call lengths, drawn (default ${DEFAULT_CALL_SECONDS.join('-')})`,
      parseCallSeconds,
    )
    .option(
      '--on-demand <share>',
      'with --arrivals: the share of calls recorded on demand (StartExecution 3-10 s after answer); the rest by policy',
      parseShare('--on-demand'),
    )
    .option('--faults <mode>', "none (a clean load run) or mix (each call's drawn faults, the default)", parseFaultsMode, 'mix')
    .option(
      '--quota <spec>',
      "the account: update=5,create=1,activeCalls=2000,startExecution=1300/300,sendTask=3000/500 (any subset, the rest defaults) or none; default with --arrivals: AWS's, active calls raised",
      quotaOption('--quota'),
    )
    .addOption(new Command().createOption('--shard <k/n>', 'internal: run shard k of n and report to the parent').hideHelp());
  const exit = parseCommandLine(program, argv, io);
  if (exit !== undefined) return exit;
  const opts = program.opts<Options & { shard?: string }>();
  const seed = opts.seed ?? freshSeed();
  let load: LoadOptions | undefined;
  try {
    load = loadOptionsOf(opts, program.getOptionValueSource('calls') === 'cli');
  } catch (e) {
    if (!(e instanceof InvalidArgumentError)) throw e;
    io.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  if (load) opts.calls = load.arrivals.calls;
  const quota = opts.quota !== undefined ? opts.quota : load ? { ...TWIN_DEFAULT_QUOTAS } : null;

  if (opts.shard) {
    const [k, n] = opts.shard.split('/').map(Number);
    const indices = Array.from({ length: Math.ceil((opts.calls - k) / n) }, (_, j) => k + j * n);
    const report = await runCampaign({
      seed,
      indices,
      dataDir: join(opts.dataDir, `shard-${k}`),
      concurrency: opts.concurrency,
      load,
      ...(quota ? { quota: splitQuota(quota, k, n) } : {}),
    });
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
      reports = [
        await runCampaign({ seed, indices: [opts.only], dataDir: join(opts.dataDir, 'replay'), load, ...(quota ? { quota } : {}) }),
      ];
    } else {
      const shards = Math.min(opts.shards ?? availableParallelism(), opts.calls);
      io.stderr.write(
        `simulation: ${opts.calls} calls, seed ${seed}, ${shards} shard(s)${load ? `, arrivals ${load.arrivals.spec}` : ''}\n`,
      );
      io.stderr.write(`${describeQuota(quota)}${quota && shards > 1 ? `, split exactly over ${shards} shards` : ''}\n`);
      const common = [
        ...(load ? [] : ['--calls', String(opts.calls)]),
        '--seed',
        String(seed),
        '--concurrency',
        String(opts.concurrency),
        '--data-dir',
        opts.dataDir,
        '--faults',
        opts.faults,
        '--quota',
        quota ? formatQuota(quota) : 'none',
        ...(opts.arrivals ? ['--arrivals', opts.arrivals] : []),
        ...(opts.minutes !== undefined ? ['--minutes', String(opts.minutes)] : []),
        ...(opts.callSeconds ? ['--call-seconds', opts.callSeconds.join('-')] : []),
        ...(opts.onDemand !== undefined ? ['--on-demand', String(opts.onDemand)] : []),
      ];
      reports = await Promise.all(Array.from({ length: shards }, (_, k) => runShard(__filename, [...common, '--shard', `${k}/${shards}`])));
    }
  } finally {
    await claim.release();
  }
  const merged = {
    ...mergeReports(seed, reports, (performance.now() - t0) / 1000, quota?.update.refill),
    ...(load ? { arrivals: load.arrivals.spec, onDemand: load.onDemand, faults: load.faults } : {}),
    ...(quota ? { quota: formatQuota(quota) } : {}),
  };
  io.stdout.write((opts.json ? JSON.stringify(merged, null, 2) : formatReport(merged, merged.calls, replayArgs(opts))) + '\n');
  return merged.violations.length === 0 ? 0 : 1;
}

/** A load campaign's options for a replay line (alone, the call meets no other call's traffic: throttling differs). */
function replayArgs(opts: Options): string {
  if (!opts.arrivals) return '';
  const parts = [`--arrivals ${opts.arrivals}`, `--faults ${opts.faults}`];
  if (opts.minutes !== undefined) parts.push(`--minutes ${opts.minutes}`);
  if (opts.callSeconds) parts.push(`--call-seconds ${opts.callSeconds.join('-')}`);
  if (opts.onDemand !== undefined) parts.push(`--on-demand ${opts.onDemand}`);
  return ` ${parts.join(' ')} (alone: no other call's traffic)`;
}

/** The load options, checked together (the parsers check each alone); undefined without --arrivals. */
function loadOptionsOf(opts: Options, callsGiven: boolean): LoadOptions | undefined {
  if (!opts.arrivals) {
    const stray = (
      [
        ['--minutes', opts.minutes],
        ['--call-seconds', opts.callSeconds],
        ['--on-demand', opts.onDemand],
      ] as const
    ).find(([, v]) => v !== undefined);
    if (stray) throw new InvalidArgumentError(`${stray[0]} is for a load campaign (--arrivals)`);
    return undefined;
  }
  if (callsGiven) throw new InvalidArgumentError('--calls and --arrivals: the arrivals say how many calls (use one)');
  if (opts.callSeconds && opts.faults === 'mix')
    throw new InvalidArgumentError('--call-seconds is for --faults none (the fault mix draws lengths that fit its faults)');
  return {
    arrivals: parseArrivals(opts.arrivals, opts.minutes),
    callSeconds: opts.callSeconds ?? DEFAULT_CALL_SECONDS,
    onDemand: opts.onDemand ?? 0,
    faults: opts.faults,
  };
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
