/**
 * `npm start`: run calls through the local twin and report their outcomes.
 *   npm start                                  the built-in demo (every outcome)
 *   npm start -- --scenario FILE [--json]      the calls of a scenario file (docs/reference/design.md)
 *   npm start -- --calls 100                   N generated calls that should all be RECORDED
 *   npm start -- --serve                       then keep the twin up (Ctrl-C ends it) for `recording-workflow --local`,
 *                                              with the local console (a web page on 127.0.0.1) live from the start
 *   npm start --silent -- --json               stdout is the JSON document alone (npm prints its banner without --silent)
 * Exit codes: 0 every call reached its expected outcome, 1 some did not, 2 bad arguments, scenario file or data dir.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { elideLongRuns, integerIn, parseCommandLine, positive, seedOption, type Io } from '../cli/command-line';
import { freshSeed } from './random';
import { TWIN_REGION, lambdaEnvironment, startTwin, type Twin } from './twin/twin';
import { HandlerError, loadUserHandler, parseHandlerSpec, type UserHandler } from './twin/user-handler';
import demo from './scenario/demo.json';
import { DataDirError } from './twin/data-dir';
import { LIMITS, ScenarioError, parseScenario, parseScenarioText, type ScenarioCall } from './scenario/scenario-file';
import { readScenarioFile } from './scenario/read-scenario';
import { liveCallFlow, runCalls } from './scenario/runner';
import type { CallHandle } from './sma/types';
import { jsonReport, progressLine, tableReport } from './scenario/report';
import { exportBucket, exportFolder } from './scenario/export';
import { startConsoleServer, type ConsoleServer } from './console/server';
import { renderDefinition } from '../statemachines/definition';
import { AWS_DEFAULT_QUOTAS, QuotaError, TWIN_DEFAULT_QUOTAS, quotaOption, type QuotaSettings } from './quota/quotas';
import { describeQuota, scenarioQuota } from './quota/scenario-quota';

// The SDK warns once per process that releases after early 2027 need Node 22; this project pins its SDK
// versions in the lock file for Node 20 (README, "Requirements"), so the warning only clutters the demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `.data/twin` of the folder it runs in: the repository's for `npm start`, the user's project for `recording-twin`. */
export const DEFAULT_DATA_DIR = join(process.cwd(), '.data', 'twin');
/** RECORDING_DTMF_CONTROLS of the SMA Lambda in `npm start`'s twin. */
export const DEMO_KEYPAD_CONTROLS = 'pause=5,resume=6,stop=7';

export function generatedCalls(n: number): ScenarioCall[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `call-${String(i + 1).padStart(String(n).length, '0')}`,
    track: 'BOTH',
    legs: (i % 2 === 0 ? 2 : 1) as 1 | 2,
    durationSeconds: 120 + (i % 5) * 30,
    faults: {},
    expect: { outcome: 'RECORDED', startAttempts: 1 },
  }));
}

async function main(argv: string[], io: Io = process, name = 'npm start --'): Promise<number> {
  const program = new Command(name)
    .description('Run calls through the local twin of the dependable call-recording workflow (no AWS account needed).')
    .option(
      '--handler <file[#export]>',
      "your own SMA Lambda handler (bundled or plain JS; export default `handler`) as the SMA's application for every call, instead of the built-in bridge and IVR apps; needs --scenario or --calls",
    )
    .option('--scenario <file>', 'a scenario file (JSON, see README "Scenario format"); default: the built-in demo')
    .option(
      '--calls <n>',
      `instead of a scenario: N generated calls that should all be RECORDED (1-${LIMITS.calls})`,
      integerIn('--calls', 1, LIMITS.calls),
    )
    .option('--json', 'print one JSON document instead of the table (with `npm start --silent -- --json`, stdout is that document alone)')
    .option(
      '--seed <n>',
      'seed of every random choice of the twin (ids, jitter); same scenario + seed = same run (default: a fresh one, printed)',
      seedOption('--seed'),
    )
    .option(
      '--speed <x>',
      'pacing for watching a run: at most X virtual seconds per real second (default: no pacing, as fast as the CPU allows)',
      positive('--speed', false),
    )
    .option('--concurrency <n>', `calls in flight at once (1-${LIMITS.calls}; default: all)`, integerIn('--concurrency', 1, LIMITS.calls))
    .option(
      '--data-dir <dir>',
      "the twin's own folder for its S3 data: created with a marker file and emptied at start; a folder it did not make, or one another run is using, is refused",
      DEFAULT_DATA_DIR,
    )
    .addOption(new Option('--no-export', 'do not copy the recordings out as plain files after the run'))
    .option(
      '--quota <spec>',
      `the account's quotas: update=5,create=1,activeCalls=${TWIN_DEFAULT_QUOTAS.activeCalls},startExecution=1300/300,sendTask=3000/500 (any subset; the rest AWS's defaults, active calls raised from ${AWS_DEFAULT_QUOTAS.activeCalls}), or none; wins over the scenario's "quota"`,
      quotaOption('--quota'),
    )
    .option('--verbose', "show the SMA Lambda's log lines (stderr)")
    .option(
      '--serve',
      'serve the local console (web page) during the run; after it, keep the twin running until SIGINT/SIGTERM and write <data-dir>/endpoints.json (for `recording-workflow --local`)',
    );
  const exit = parseCommandLine(program, argv, io);
  if (exit !== undefined) return exit;
  const opts = program.opts<{
    scenario?: string;
    calls?: number;
    json?: boolean;
    seed?: number;
    speed?: number;
    concurrency?: number;
    dataDir: string;
    export: boolean;
    verbose?: boolean;
    serve?: boolean;
    handler?: string;
    quota?: QuotaSettings | null;
  }>();
  if (opts.scenario && opts.calls) {
    io.stderr.write('error: use either --scenario or --calls, not both\n');
    return 2;
  }
  if (opts.handler) {
    if (!opts.scenario && !opts.calls) {
      io.stderr.write('error: --handler needs --scenario FILE or --calls N (the built-in demo is made for the built-in apps)\n');
      return 2;
    }
    try {
      parseHandlerSpec(opts.handler);
    } catch (e) {
      if (!(e instanceof HandlerError)) throw e;
      io.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
  }

  let calls: ScenarioCall[];
  let fileQuota: QuotaSettings | null | undefined;
  try {
    if (opts.calls) calls = generatedCalls(opts.calls);
    else if (opts.scenario) {
      const text = readScenarioFile(opts.scenario);
      calls = parseScenarioText(text);
      try {
        fileQuota = scenarioQuota(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
      } catch (e) {
        if (e instanceof QuotaError) throw new ScenarioError('quota', e.message, { cause: e });
        throw e;
      }
    } else {
      // The demo runs under AWS's default quotas, read with one second's worth of burst for the update rate
      // (demo.json's "quota"): its 24 on-demand calls all start in the same virtual second, which no operator does,
      // and its calls' fixed timings (a key pressed at 4 s in the notice) are about the workflow's paths, not a
      // queue of starts. The no-burst reading is the default everywhere else (README "Account quotas").
      calls = parseScenario(demo);
      fileQuota = scenarioQuota(demo);
    }
    const builtIn = opts.handler ? calls.findIndex((c) => c.app !== undefined) : -1;
    if (builtIn !== -1)
      throw new ScenarioError(`calls[${builtIn}].app`, 'the built-in apps do not run with --handler: name the number dialled with "to"');
  } catch (e) {
    if (e instanceof ScenarioError) {
      io.stderr.write(`bad scenario: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const seed = opts.seed ?? freshSeed();
  // AWS's default quotas, the active calls raised as production customers have them, unless told otherwise.
  const quota = opts.quota !== undefined ? opts.quota : fileQuota !== undefined ? fileQuota : { ...TWIN_DEFAULT_QUOTAS };
  const defaults = opts.quota === undefined && fileQuota === undefined;
  let twin: Twin;
  // Set once the twin is up and the environment points at it (the handler may make its clients as it loads).
  let userHandler: UserHandler | undefined;
  try {
    twin = await startTwin({
      ...(opts.handler ? { application: (event: unknown, context: object) => userHandler!(event, context) } : {}),
      dataDir: opts.dataDir,
      seed,
      pace: opts.speed,
      verbose: opts.verbose && !opts.json,
      // The keypad controls of the seed sample's keys (README, "Pause, resume, stop and the caller's opt-out"):
      // a scenario's `digits` 5, 6 and 7 pause, resume and stop a recording in progress.
      lambdaEnv: { RECORDING_DTMF_CONTROLS: DEMO_KEYPAD_CONTROLS },
      ...(quota ? { quota } : {}),
    });
  } catch (e) {
    if (e instanceof DataDirError) {
      io.stderr.write(elideLongRuns(`error: --data-dir ${e.message}`) + '\n');
      return 2;
    }
    throw e;
  }
  const savedEnv = { ...process.env };
  // The handler's own log lines (Powertools writes INFO to stdout) go to stderr: stdout is the report.
  const stdoutWrite = process.stdout.write;
  if (opts.handler && io.stdout === process.stdout) {
    io = { ...io, stdout: { write: stdoutWrite.bind(process.stdout) } } as Io;
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  }
  const endpointsFile = join(opts.dataDir, 'endpoints.json');
  const live = !opts.json && io.stderr.isTTY;
  const counts = new Map<string, number>();
  let lastPrinted = 0;
  let consoleServer: ConsoleServer | undefined;
  // Each placed call, so the console can show its call flow beside its execution.
  const placed = new Map<string, { handle: CallHandle; call: ScenarioCall }>();
  try {
    // The console is up before the first call, so the page shows the calls live as they run.
    if (opts.serve) {
      consoleServer = await startConsoleServer({
        sfn: twin.sfn,
        s3: twin.s3,
        stateMachineArn: twin.stateMachineArn,
        definition: renderDefinition(twin.settings),
        callFlow: (name) => {
          const p = placed.get(name);
          return p && liveCallFlow(twin, p.handle, p.call);
        },
      });
      io.stderr.write(`local console: ${consoleServer.url}\n`);
    }
    if (opts.handler) {
      Object.assign(process.env, lambdaEnvironment(twin));
      try {
        userHandler = await loadUserHandler(opts.handler);
      } catch (e) {
        if (!(e instanceof HandlerError)) throw e;
        io.stderr.write(`error: ${e.message}\n`);
        return 2;
      }
    }
    // The endpoints file is there while the calls run, so the CLI can reach a live call (pause it, follow it).
    if (opts.serve) writeEndpoints(twin, endpointsFile, consoleServer?.url);
    // Once the twin is up: a refused data folder is said in one line, alone.
    if (!opts.json)
      io.stderr.write(
        `${describeQuota(quota)}${defaults ? ` (AWS's defaults, active calls raised from ${AWS_DEFAULT_QUOTAS.activeCalls}; --quota to change)` : opts.quota === undefined ? ' (set by the scenario file)' : ''}\n`,
      );
    if (!opts.json)
      io.stderr.write(
        `local twin up: ${calls.length} call(s), seed ${seed}${opts.speed ? `, paced at x${opts.speed}` : ''} (S3 ${twin.endpoints.s3}, Step Functions ${twin.endpoints.stepfunctions}, Chime ${twin.endpoints.chimesdkvoice})\n`,
      );
    const results = await runCalls(twin, calls, {
      concurrency: opts.concurrency,
      onPlaced: (name, handle, call) => placed.set(name, { handle, call }),
      onResult: (r, done, total) => {
        const key = r.outcome ?? r.status;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (live) io.stderr.write(`\r${progressLine(done, total, counts)}\x1b[K`);
        else if (!opts.json && (done === total || performance.now() - lastPrinted > 2000)) {
          lastPrinted = performance.now();
          io.stderr.write(progressLine(done, total, counts) + '\n');
        }
      },
    });
    if (live) io.stderr.write('\n');
    const report = jsonReport(results, seed);
    if (opts.json) io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    else {
      io.stdout.write(tableReport(results) + '\n');
      io.stdout.write(`\n${report.passed} passed, ${report.failed} failed\n`);
    }
    if (opts.export) {
      const folder = exportFolder(opts.dataDir);
      const n = await exportBucket(twin.s3, twin.bucket, folder, { direct: twin.s3Direct });
      if (!opts.json)
        io.stdout.write(
          `${n} objects (recordings .wav, manifests .manifest.json, the caller index) copied to ${relative(process.cwd(), folder) || '.'}/${twin.bucket}/\n`,
        );
    }
    if (opts.serve) await serveUntilSignal(twin, endpointsFile, io, consoleServer?.url);
    return report.failed === 0 ? 0 : 1;
  } finally {
    if (opts.serve) rmSync(endpointsFile, { force: true });
    if (opts.handler) restoreEnv(savedEnv);
    process.stdout.write = stdoutWrite;
    await consoleServer?.close();
    await twin.close();
  }
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
}

/** endpoints.json tells other tools where the twin is (the recording-workflow CLI's --local reads it). */
function writeEndpoints(twin: Twin, file: string, consoleUrl?: string): void {
  const endpoints = {
    ...twin.endpoints,
    ...(consoleUrl ? { console: consoleUrl } : {}),
    stateMachineArn: twin.stateMachineArn,
    region: TWIN_REGION,
    sipMediaApplicationId: twin.sipMediaApplicationId,
    callerKeySecretId: twin.callerKeySecretId,
    callerIndexLocation: twin.settings.CallerIndexLocation,
  };
  writeFileSync(file, JSON.stringify(endpoints, null, 2) + '\n');
}

/**
 * --serve: the twin stays up after the run so other tools can use it. endpoints.json (written when the twin came up)
 * is removed on exit by main: a stale one would point at ports nothing listens on any more.
 */
async function serveUntilSignal(twin: Twin, file: string, io: Io, consoleUrl?: string): Promise<void> {
  io.stderr.write(
    `twin serving (Step Functions ${twin.endpoints.stepfunctions}${consoleUrl ? `, console ${consoleUrl}` : ''}); endpoints in ${relative(process.cwd(), file) || file}; Ctrl-C to stop\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`local twin failed: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}

export { main };
