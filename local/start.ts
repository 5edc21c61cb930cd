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
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command, Option } from 'commander';
import { elideLongRuns, integerIn, parseCommandLine, positive, seedOption, type Io } from '../cli/command-line';
import { freshSeed } from './random';
import { TWIN_REGION, startTwin, type Twin } from './twin/twin';
import { DataDirError } from './twin/data-dir';
import { LIMITS, ScenarioError, parseScenario, parseScenarioText, type ScenarioCall } from './scenario/scenario-file';
import { readScenarioFile } from './scenario/read-scenario';
import { runCalls } from './scenario/runner';
import { jsonReport, progressLine, tableReport } from './scenario/report';
import { exportBucket, exportFolder } from './scenario/export';
import { startConsoleServer, type ConsoleServer } from './console/server';
import { renderDefinition } from '../statemachines/definition';

// The SDK warns once per process that releases after early 2027 need Node 22; this project pins its SDK
// versions in the lock file for Node 20 (README, "Requirements"), so the warning only clutters the demo.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = join(__dirname, '..');
export const DEFAULT_DATA_DIR = join(ROOT, '.data', 'twin');
const DEMO_FILE = join(__dirname, 'scenario', 'demo.json');
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

async function main(argv: string[], io: Io = process): Promise<number> {
  const program = new Command('npm start --')
    .description('Run calls through the local twin of the dependable call-recording workflow (no AWS account needed).')
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
  }>();
  if (opts.scenario && opts.calls) {
    io.stderr.write('error: use either --scenario or --calls, not both\n');
    return 2;
  }

  let calls: ScenarioCall[];
  try {
    if (opts.calls) calls = generatedCalls(opts.calls);
    else if (opts.scenario) {
      calls = parseScenarioText(readScenarioFile(opts.scenario));
    } else calls = parseScenario(JSON.parse(readFileSync(DEMO_FILE, 'utf8')));
  } catch (e) {
    if (e instanceof ScenarioError) {
      io.stderr.write(`bad scenario: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const seed = opts.seed ?? freshSeed();
  let twin: Twin;
  try {
    twin = await startTwin({
      dataDir: opts.dataDir,
      seed,
      pace: opts.speed,
      verbose: opts.verbose && !opts.json,
      // The keypad controls of the seed sample's keys (README, "Pause, resume, stop and the caller's opt-out"):
      // a scenario's `digits` 5, 6 and 7 pause, resume and stop a recording in progress.
      lambdaEnv: { RECORDING_DTMF_CONTROLS: DEMO_KEYPAD_CONTROLS },
    });
  } catch (e) {
    if (e instanceof DataDirError) {
      io.stderr.write(elideLongRuns(`error: --data-dir ${e.message}`) + '\n');
      return 2;
    }
    throw e;
  }
  const live = !opts.json && io.stderr.isTTY;
  const counts = new Map<string, number>();
  let lastPrinted = 0;
  let consoleServer: ConsoleServer | undefined;
  try {
    // The console is up before the first call, so the page shows the calls live as they run.
    if (opts.serve) {
      consoleServer = await startConsoleServer({
        sfn: twin.sfn,
        s3: twin.s3,
        stateMachineArn: twin.stateMachineArn,
        definition: renderDefinition(twin.settings),
      });
      io.stderr.write(`local console: ${consoleServer.url}\n`);
    }
    if (!opts.json)
      io.stderr.write(
        `local twin up: ${calls.length} call(s), seed ${seed}${opts.speed ? `, paced at x${opts.speed}` : ''} (S3 ${twin.endpoints.s3}, Step Functions ${twin.endpoints.stepfunctions}, Chime ${twin.endpoints.chimesdkvoice})\n`,
      );
    const results = await runCalls(twin, calls, {
      concurrency: opts.concurrency,
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
          `${n} objects (recordings .wav and manifests .manifest.json) copied to ${relative(process.cwd(), folder) || '.'}/${twin.bucket}/\n`,
        );
    }
    if (opts.serve) await serveUntilSignal(twin, opts.dataDir, io, consoleServer?.url);
    return report.failed === 0 ? 0 : 1;
  } finally {
    await consoleServer?.close();
    await twin.close();
  }
}

/**
 * --serve: the twin stays up after the run so other tools can use it; endpoints.json tells them where it is
 * (the recording-workflow CLI's --local reads it). The file is removed on exit: a stale one would point at
 * ports nothing listens on any more.
 */
async function serveUntilSignal(twin: Twin, dataDir: string, io: Io, consoleUrl?: string): Promise<void> {
  const file = join(dataDir, 'endpoints.json');
  const endpoints = {
    ...twin.endpoints,
    ...(consoleUrl ? { console: consoleUrl } : {}),
    stateMachineArn: twin.stateMachineArn,
    region: TWIN_REGION,
    sipMediaApplicationId: twin.sipMediaApplicationId,
  };
  writeFileSync(file, JSON.stringify(endpoints, null, 2) + '\n');
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
  rmSync(file, { force: true });
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
