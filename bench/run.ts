/**
 * `npm run bench`: measures the SMA Lambda, the workflow's state transitions (and their price) and the local
 * twin, prints ONE table and writes it with the raw numbers to bench/results/latest.json. docs/benchmarks.md
 * explains how to read it. Everything runs on 127.0.0.1; nothing talks to AWS.
 *
 *   npm run bench                full run (about 8 minutes on 2 cores; the 10,000-call simulation included)
 *   npm run bench -- --quick     fewer repetitions and a 500-call simulation; writes bench/results/quick.json.tmp
 *   npm run bench -- --lambda-only   the SMA Lambda rows only (about 2 minutes; with --quick, under 1);
 *                                    writes bench/results/lambda-only.json.tmp
 *
 * Over 400 lines: the runs and the rows they print sit together so that a row and the measure behind it read side
 * by side; the measures themselves live in bench/lambda.ts, transitions.ts and interpreter.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { eventMix, ivrEventMix } from './events';
import { measureInterpreter } from './interpreter';
import { ROOT, bundleAll, lambdaEnv, median, runChild, startStubSfn } from './lambda';
import { PRICE_PER_1000_TRANSITIONS_USD, PRICE_TAKEN_ON, costPer1000Calls, measureTransitions } from './transitions';
import type { mergeReports } from '../scripts/simulate';

type SimulationReport = ReturnType<typeof mergeReports> & { maxRssMb: number };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const quick = process.argv.includes('--quick');
const lambdaOnly = process.argv.includes('--lambda-only');
const COLD_RUNS = quick ? 3 : 5;
const WARM_RUNS = quick ? 1 : 3;
const WARM_EVENTS = 10_000;
const WARM_UP = 1_000;
/** The IVR pair differs by a few microseconds per event: more processes, so the median holds still. */
const IVR_RUNS = quick ? 3 : 5;
/** The IVR's agents (examples/ivr): digit 1 or 2 bridges. */
const IVR_AGENTS = JSON.stringify({ '1': '+12065550100', '2': '+12065550101' });
/** The simulation campaign measured (scripts/simulate.ts): its size and seed. */
const SIMULATION = quick ? { calls: 500, seed: 2026 } : { calls: 10_000, seed: 2026 };

interface Cold {
  handlerCpuMs: number;
  loadMs: number;
  firstEventMs: number;
  totalMs: number;
  maxRssKb: number;
}
interface Warm {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  cpuMsPerEvent: number;
}

const progress = (s: string) => process.stderr.write(`bench: ${s}\n`);
const fmt = (n: number, digits = 2) => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(Math.max(3, digits)));
const ratio = (a: number, b: number) => `x${fmt(a / b)}`;

async function lambdaBench() {
  progress('bundling the SMA Lambda, bench/fixtures/*.ts and examples/ivr/handler.ts (scripts/bundle.mjs)');
  const bundles = bundleAll();
  const stub = await startStubSfn();
  try {
    const env = lambdaEnv(stub.endpoint);
    const mix = eventMix();
    const events = mix.map((m) => m.event);
    const hangup = mix.find((m) => m.kind === 'HANGUP')!.event;
    const cold: Record<'sma' | 'bare' | 'fair' | 'smaCallback' | 'fairCallback' | 'fairLazy' | 'fairLazyCallback', Cold[]> = {
      fairLazy: [],
      fairLazyCallback: [],
      sma: [],
      bare: [],
      fair: [],
      smaCallback: [],
      fairCallback: [],
    };
    progress(`cold start: ${COLD_RUNS} fresh processes per handler`);
    for (let i = 0; i < COLD_RUNS; i++) {
      // Interleaved, so drift on the machine hits both handlers alike.
      cold.bare.push((await runChild<Cold>(bundles.bare.outfile, 'cold', events, env)).result);
      cold.sma.push((await runChild<Cold>(bundles.sma.outfile, 'cold', events, env)).result);
      cold.smaCallback.push((await runChild<Cold>(bundles.sma.outfile, 'cold', [hangup], env)).result);
      cold.fair.push((await runChild<Cold>(bundles.fair.outfile, 'cold', events, env)).result);
      cold.fairCallback.push((await runChild<Cold>(bundles.fair.outfile, 'cold', [hangup], env)).result);
      cold.fairLazy.push((await runChild<Cold>(bundles.fairLazy.outfile, 'cold', events, env)).result);
      cold.fairLazyCallback.push((await runChild<Cold>(bundles.fairLazy.outfile, 'cold', [hangup], env)).result);
    }
    const warm: Record<'sma' | 'bare' | 'fair', Warm[]> = { sma: [], bare: [], fair: [] };
    const warmArgs = { args: [String(WARM_EVENTS), String(WARM_UP)] };
    progress(`warm latency: ${WARM_RUNS} process(es) per handler, ${WARM_EVENTS} events each after ${WARM_UP} warm-up`);
    for (let i = 0; i < WARM_RUNS; i++) {
      warm.bare.push(
        (await runChild<Warm>(bundles.bare.outfile, 'warm', events, env, { args: [String(WARM_EVENTS), String(WARM_UP)] })).result,
      );
      warm.sma.push(
        (await runChild<Warm>(bundles.sma.outfile, 'warm', events, env, { args: [String(WARM_EVENTS), String(WARM_UP)] })).result,
      );
      warm.fair.push((await runChild<Warm>(bundles.fair.outfile, 'warm', events, env, warmArgs)).result);
    }
    const ivrMix = ivrEventMix();
    // Each gets the events it would get on a real call: with the middleware, its `rw:own` rides along.
    const ivrEvents = {
      alone: ivrMix.map((m) => m.event),
      emptyMiddleware: ivrMix.map((m) => m.event),
      recorded: ivrEventMix({ withMiddlewareState: true }).map((m) => m.event),
    };
    const ivrEnv = lambdaEnv(stub.endpoint, { IVR_AGENTS });
    const ivr: Record<'alone' | 'emptyMiddleware' | 'recorded', Warm[]> = { alone: [], emptyMiddleware: [], recorded: [] };
    progress(
      `IVR example alone, with an empty middleware and with recording: ${IVR_RUNS} process(es) each, ${WARM_EVENTS} events after ${WARM_UP} warm-up`,
    );
    for (let i = 0; i < IVR_RUNS; i++) {
      // Interleaved, the order reversed every other run: a drift on the shared machine favours none.
      const trio = [
        ['alone', bundles.ivr.outfile],
        ['emptyMiddleware', bundles.ivrEmptyMiddleware.outfile],
        ['recorded', bundles.ivrRecorded.outfile],
      ] as const;
      for (const [which, outfile] of i % 2 ? [...trio].reverse() : trio) {
        ivr[which].push((await runChild<Warm>(outfile, 'warm', ivrEvents[which], ivrEnv, warmArgs)).result);
      }
    }
    const med = <T>(runs: T[], key: keyof T) => median(runs.map((r) => r[key] as number));
    return {
      bundle: {
        smaBytes: bundles.sma.bytes,
        bareBytes: bundles.bare.bytes,
        fairBytes: bundles.fair.bytes,
        ivrBytes: bundles.ivr.bytes,
        ivrRecordedBytes: bundles.ivrRecorded.bytes,
        largestInputs: bundles.sma.inputs.slice(0, 8),
      },
      cold: {
        runs: COLD_RUNS,
        sma: {
          loadMs: med(cold.sma, 'loadMs'),
          firstEventMs: med(cold.sma, 'firstEventMs'),
          totalMs: med(cold.sma, 'totalMs'),
          handlerCpuMs: med(cold.sma, 'handlerCpuMs'),
          maxRssKb: med(cold.sma, 'maxRssKb'),
        },
        smaFirstCallback: {
          totalMs: med(cold.smaCallback, 'totalMs'),
          firstEventMs: med(cold.smaCallback, 'firstEventMs'),
          handlerCpuMs: med(cold.smaCallback, 'handlerCpuMs'),
        },
        fair: {
          loadMs: med(cold.fair, 'loadMs'),
          firstEventMs: med(cold.fair, 'firstEventMs'),
          totalMs: med(cold.fair, 'totalMs'),
          handlerCpuMs: med(cold.fair, 'handlerCpuMs'),
          maxRssKb: med(cold.fair, 'maxRssKb'),
        },
        fairFirstCallback: {
          totalMs: med(cold.fairCallback, 'totalMs'),
          firstEventMs: med(cold.fairCallback, 'firstEventMs'),
          handlerCpuMs: med(cold.fairCallback, 'handlerCpuMs'),
        },
        fairLazy: { totalMs: med(cold.fairLazy, 'totalMs'), handlerCpuMs: med(cold.fairLazy, 'handlerCpuMs') },
        fairLazyFirstCallback: { totalMs: med(cold.fairLazyCallback, 'totalMs'), handlerCpuMs: med(cold.fairLazyCallback, 'handlerCpuMs') },
        bare: {
          loadMs: med(cold.bare, 'loadMs'),
          firstEventMs: med(cold.bare, 'firstEventMs'),
          totalMs: med(cold.bare, 'totalMs'),
          maxRssKb: med(cold.bare, 'maxRssKb'),
        },
        raw: cold,
      },
      warm: {
        runs: WARM_RUNS,
        events: WARM_EVENTS,
        mix: mix.map((m) => m.kind),
        sfnCallsPerMix: mix.filter((m) => m.callsSfn).length,
        sma: {
          p50Ms: med(warm.sma, 'p50Ms'),
          p99Ms: med(warm.sma, 'p99Ms'),
          meanMs: med(warm.sma, 'meanMs'),
          cpuMsPerEvent: med(warm.sma, 'cpuMsPerEvent'),
        },
        bare: {
          p50Ms: med(warm.bare, 'p50Ms'),
          p99Ms: med(warm.bare, 'p99Ms'),
          meanMs: med(warm.bare, 'meanMs'),
          cpuMsPerEvent: med(warm.bare, 'cpuMsPerEvent'),
        },
        fair: {
          p50Ms: med(warm.fair, 'p50Ms'),
          p99Ms: med(warm.fair, 'p99Ms'),
          meanMs: med(warm.fair, 'meanMs'),
          cpuMsPerEvent: med(warm.fair, 'cpuMsPerEvent'),
        },
        raw: warm,
      },
      ivr: {
        runs: IVR_RUNS,
        events: WARM_EVENTS,
        mix: ivrMix.map((m) => m.kind),
        alone: { p50Ms: med(ivr.alone, 'p50Ms'), cpuMsPerEvent: med(ivr.alone, 'cpuMsPerEvent') },
        recorded: { p50Ms: med(ivr.recorded, 'p50Ms'), cpuMsPerEvent: med(ivr.recorded, 'cpuMsPerEvent') },
        emptyMiddleware: { p50Ms: med(ivr.emptyMiddleware, 'p50Ms'), cpuMsPerEvent: med(ivr.emptyMiddleware, 'cpuMsPerEvent') },
        raw: ivr,
      },
      sfnStubRequests: stub.requests,
    };
  } finally {
    await stub.close();
    rmSync(bundles.dir, { recursive: true, force: true });
  }
}

/** A tsx command run to its end in a fresh process: its wall seconds and its stdout. */
function timed(args: string[]): { wallSeconds: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 2 ** 20,
  });
  return { wallSeconds: (performance.now() - t0) / 1000, stdout };
}

/** `npm start` (the demo, local/scenario/demo.json), in a fresh process, median of 3 runs: what a newcomer waits for. */
function demoWall(): { medianSeconds: number; runs: number[]; passed: number; calls: number } {
  const runs: number[] = [];
  let passed = 0;
  let calls = 0;
  for (let i = 0; i < 3; i++) {
    const dataDir = join(ROOT, '.data', 'bench-demo');
    const r = timed(['local/start.ts', '--seed', '1', '--json', '--no-export', '--data-dir', dataDir]);
    runs.push(r.wallSeconds);
    const report = JSON.parse(r.stdout) as { passed: number; calls: unknown[] };
    passed = report.passed;
    calls = report.calls.length;
  }
  return { medianSeconds: median(runs), runs, passed, calls };
}

/** The simulation campaign (scripts/simulate.ts, one shard per core), its own report. */
function simulation(): SimulationReport {
  const r = timed([
    'scripts/simulate.ts',
    '--calls',
    String(SIMULATION.calls),
    '--seed',
    String(SIMULATION.seed),
    '--json',
    '--data-dir',
    join(ROOT, '.data', 'bench-simulate'),
  ]);
  const report = JSON.parse(r.stdout) as SimulationReport;
  return { ...report, wallSeconds: r.wallSeconds, maxRssMb: report.peakRssMb };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

type LambdaReport = Awaited<ReturnType<typeof lambdaBench>>;

const share = (a: number, b: number) => `${a >= b ? '+' : ''}${((a / b - 1) * 100).toFixed(1)}%`;

function lambdaRows(lambda: LambdaReport): string[][] {
  const { cold, warm, bundle, ivr } = lambda;
  return [
    [
      'SMA Lambda',
      'bundle size (esbuild, minified, node20)',
      `${bundle.smaBytes} B`,
      `bare middy ${bundle.bareBytes} B (${ratio(bundle.smaBytes, bundle.bareBytes)})`,
    ],
    [
      'SMA Lambda',
      `cold start: load + first event (NEW_INBOUND_CALL), median of ${cold.runs}`,
      `${fmt(cold.sma.totalMs)} ms`,
      `bare ${fmt(cold.bare.totalMs)} ms (${ratio(cold.sma.totalMs, cold.bare.totalMs)}); load ${fmt(cold.sma.loadMs)} + event ${fmt(cold.sma.firstEventMs)} ms`,
    ],
    [
      'SMA Lambda',
      'cold start, first event a HANGUP with SendTaskSuccess',
      `${fmt(cold.smaFirstCallback.totalMs)} ms`,
      `bare ${fmt(cold.bare.totalMs)} ms (${ratio(cold.smaFirstCallback.totalMs, cold.bare.totalMs)}); event ${fmt(cold.smaFirstCallback.firstEventMs)} ms`,
    ],
    ['SMA Lambda', 'RSS after the first event', `${fmt(cold.sma.maxRssKb / 1024)} MB`, `bare ${fmt(cold.bare.maxRssKb / 1024)} MB`],
    [
      'SMA Lambda',
      `warm p50, ${warm.events} mixed events (${warm.mix.length} kinds, ${warm.sfnCallsPerMix} with a callback)`,
      `${fmt(warm.sma.p50Ms * 1000)} us`,
      `bare ${fmt(warm.bare.p50Ms * 1000)} us (${ratio(warm.sma.p50Ms, warm.bare.p50Ms)})`,
    ],
    [
      'SMA Lambda',
      'warm p99',
      `${fmt(warm.sma.p99Ms * 1000)} us`,
      `bare ${fmt(warm.bare.p99Ms * 1000)} us (${ratio(warm.sma.p99Ms, warm.bare.p99Ms)})`,
    ],
    [
      'SMA Lambda',
      'warm CPU per event (mean)',
      `${fmt(warm.sma.cpuMsPerEvent * 1000)} us`,
      `bare ${fmt(warm.bare.cpuMsPerEvent * 1000)} us (${ratio(warm.sma.cpuMsPerEvent, warm.bare.cpuMsPerEvent)})`,
    ],
    [
      'SMA Lambda',
      'fair baseline: bundle size',
      `${bundle.fairBytes} B`,
      `SMA Lambda ${ratio(bundle.smaBytes, bundle.fairBytes)} of it; middy + @aws-sdk/client-sfn, the same callbacks (bench/fixtures/fair-baseline.ts)`,
    ],
    [
      'SMA Lambda',
      `fair baseline: cold start, first event NEW_INBOUND_CALL, median of ${cold.runs}`,
      `${fmt(cold.fair.totalMs)} ms`,
      `SMA Lambda ${ratio(cold.sma.totalMs, cold.fair.totalMs)} of it (target <= x1.3); load ${fmt(cold.fair.loadMs)} + event ${fmt(cold.fair.firstEventMs)} ms`,
    ],
    [
      'SMA Lambda',
      'fair baseline: cold start, first event a HANGUP with SendTaskSuccess',
      `${fmt(cold.fairFirstCallback.totalMs)} ms`,
      `SMA Lambda ${ratio(cold.smaFirstCallback.totalMs, cold.fairFirstCallback.totalMs)} of it (target <= x1.3)`,
    ],
    [
      'SMA Lambda',
      'cold start CPU (load + first event, node start-up left out): NEW_INBOUND_CALL / HANGUP first',
      `${fmt(cold.sma.handlerCpuMs)} / ${fmt(cold.smaFirstCallback.handlerCpuMs)} ms`,
      `fair ${fmt(cold.fair.handlerCpuMs)} / ${fmt(cold.fairFirstCallback.handlerCpuMs)} ms: ${ratio(cold.sma.handlerCpuMs, cold.fair.handlerCpuMs)} / ${ratio(cold.smaFirstCallback.handlerCpuMs, cold.fairFirstCallback.handlerCpuMs)}`,
    ],
    [
      'SMA Lambda',
      'fair baseline, SDK on first use (fair-baseline-lazy.ts): cold start NEW_INBOUND_CALL / HANGUP first',
      `${fmt(cold.fairLazy.totalMs)} / ${fmt(cold.fairLazyFirstCallback.totalMs)} ms; CPU ${fmt(cold.fairLazy.handlerCpuMs)} / ${fmt(cold.fairLazyFirstCallback.handlerCpuMs)} ms`,
      `SMA Lambda ${ratio(cold.sma.totalMs, cold.fairLazy.totalMs)} / ${ratio(cold.smaFirstCallback.totalMs, cold.fairLazyFirstCallback.totalMs)} of it; CPU ${ratio(cold.sma.handlerCpuMs, cold.fairLazy.handlerCpuMs)} / ${ratio(cold.smaFirstCallback.handlerCpuMs, cold.fairLazyFirstCallback.handlerCpuMs)}`,
    ],
    [
      'SMA Lambda',
      'fair baseline: warm p50 / p99, the same mix',
      `${fmt(warm.fair.p50Ms * 1000)} / ${fmt(warm.fair.p99Ms * 1000)} us`,
      `SMA Lambda ${ratio(warm.sma.p50Ms, warm.fair.p50Ms)} / ${ratio(warm.sma.p99Ms, warm.fair.p99Ms)} of it`,
    ],
    [
      'SMA Lambda',
      'fair baseline: warm CPU per event (mean)',
      `${fmt(warm.fair.cpuMsPerEvent * 1000)} us`,
      `SMA Lambda ${ratio(warm.sma.cpuMsPerEvent, warm.fair.cpuMsPerEvent)} of it`,
    ],
    [
      'IVR example',
      `warm CPU per event with the middleware, ${ivr.events} events (${ivr.mix.length} IVR kinds), median of ${ivr.runs}`,
      `${fmt(ivr.recorded.cpuMsPerEvent * 1000)} us`,
      `IVR alone ${fmt(ivr.alone.cpuMsPerEvent * 1000)} us: ${share(ivr.recorded.cpuMsPerEvent, ivr.alone.cpuMsPerEvent)} (target <= +10%)`,
    ],
    [
      'IVR example',
      'warm CPU per event with a middy middleware that does nothing (the floor of any middleware)',
      `${fmt(ivr.emptyMiddleware.cpuMsPerEvent * 1000)} us`,
      `IVR alone: ${share(ivr.emptyMiddleware.cpuMsPerEvent, ivr.alone.cpuMsPerEvent)}; recording over this floor: ${share(ivr.recorded.cpuMsPerEvent, ivr.emptyMiddleware.cpuMsPerEvent)}`,
    ],
    [
      'IVR example',
      'warm p50 with the middleware',
      `${fmt(ivr.recorded.p50Ms * 1000)} us`,
      `IVR alone ${fmt(ivr.alone.p50Ms * 1000)} us (${share(ivr.recorded.p50Ms, ivr.alone.p50Ms)}); bundles ${bundle.ivrRecordedBytes} B vs ${bundle.ivrBytes} B`,
    ],
  ];
}

/** Everything but the Lambda: transitions, the interpreter, the demo and the simulation (skipped by --lambda-only). */
async function otherBenches() {
  progress('state transitions per outcome (twin, 5 calls per path)');
  const transitions = await measureTransitions(quick ? 2 : 5);
  progress('interpreter: Pass chains');
  const interpreter = await measureInterpreter(500, quick ? 5 : 20);
  progress('twin: the demo (npm start), 3 fresh runs');
  const demo = demoWall();
  progress(`twin: a simulation campaign of ${SIMULATION.calls} calls, seed ${SIMULATION.seed}`);
  const sim = simulation();
  return { transitions, interpreter, demo, sim };
}

function otherRows({ transitions, interpreter, demo, sim }: Awaited<ReturnType<typeof otherBenches>>): string[][] {
  const happy = transitions.find((t) => t.path === 'happy path')!;
  return [
    ...transitions.map((t) => [
      'Step Functions',
      `transitions: ${t.path}`,
      t.min === t.max ? String(t.median) : `${t.median} (${t.min}-${t.max})`,
      `${t.outcome}; $${costPer1000Calls(t.median).toFixed(3)} per 1,000 calls${t.mismatches ? `; ${t.mismatches} of ${t.runs} calls missed the outcome` : ''}`,
    ]),
    [
      'Step Functions',
      'cost per 1,000 recorded calls (happy path)',
      `$${costPer1000Calls(happy.median).toFixed(3)}`,
      `$${PRICE_PER_1000_TRANSITIONS_USD}/1,000 transitions, us-east-1 Standard, ${PRICE_TAKEN_ON}; free tier ignored`,
    ],
    [
      'twin',
      `the demo (npm start, ${demo.calls} calls), median of 3 fresh processes`,
      `${fmt(demo.medianSeconds)} s wall`,
      `${demo.passed} of ${demo.calls} passed; target <= 3 s; includes tsx start-up`,
    ],
    [
      'twin',
      `simulation campaign: ${sim.calls} calls, seed ${sim.seed}, ${sim.shards} shards`,
      `${fmt(sim.wallSeconds)} s wall`,
      `target <= 300 s; ${sim.violations.length} broken invariants; ${Object.entries(sim.outcomes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    ],
    [
      'twin',
      'CPU per simulated call (all shards)',
      `${fmt(sim.cpuMsPerCall)} ms`,
      'target <= 20 ms; calls of 5-150 s of audio (5-90 s, 90-150 s with a slow start), checks and clean-up included',
    ],
    [
      'twin',
      'peak memory (maxRSS) per shard process',
      `${fmt(sim.peakRssMb)} MB`,
      `target <= 1 GB; ${sim.shards} processes, each S3, Step Functions, Chime, SMA emulator, Lambda`,
    ],
    ...interpreter.map((r) => [
      'interpreter',
      `time per state transition: ${r.variant}`,
      `${fmt(r.usPerTransition)} us`,
      `${r.transitions} transitions (${r.executions} x ${r.states}-state chain)`,
    ]),
  ];
}

async function main() {
  const started = new Date();
  const lambda = await lambdaBench();
  const other = lambdaOnly ? undefined : await otherBenches();
  const rows: string[][] = [['area', 'measure', 'value', 'baseline / note'], ...lambdaRows(lambda), ...(other ? otherRows(other) : [])];
  const text = table(rows);
  process.stdout.write(text + '\n');

  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a git checkout */
  }
  const document = {
    date: started.toISOString(),
    commit,
    quick,
    lambdaOnly,
    machine: {
      node: process.version,
      platform: process.platform,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGb: Math.round(totalmem() / 2 ** 30),
    },
    settings: {
      coldRuns: COLD_RUNS,
      warmRuns: WARM_RUNS,
      warmEvents: WARM_EVENTS,
      warmUp: WARM_UP,
      ivrRuns: IVR_RUNS,
      simulation: SIMULATION,
      sfnClient: 'stub HTTP server on 127.0.0.1 answering 200 {} at once (AWS_ENDPOINT_URL_SFN)',
    },
    table: rows,
    lambda,
    ...(other && {
      transitions: {
        pricePer1000TransitionsUsd: PRICE_PER_1000_TRANSITIONS_USD,
        priceTakenOn: PRICE_TAKEN_ON,
        freeTier: 'ignored',
        paths: other.transitions,
      },
      twin: { demo: other.demo, simulation: { ...other.sim, violations: other.sim.violations.slice(0, 20) } },
      interpreter: other.interpreter,
    }),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, lambdaOnly ? 'lambda-only.json.tmp' : quick ? 'quick.json.tmp' : 'latest.json');
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  progress(`written to ${file}`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
