/**
 * `recording-workflow`: operating the call-recording workflow from a terminal or a script.
 *
 *   start     on-demand recording of a live call (idempotent per TransactionId)
 *   status    one call's outcome, start attempts, consent notice, recording and manifest keys
 *   history   an execution's events as a timeline (retries visible, task tokens redacted)
 *   audit     the retry-audit report over a period: per call and totals per outcome / start error
 *   redrive   RedriveExecution for an ABORTED / TIMED_OUT / FAILED execution
 *   pause | resume | stop   the recording of a live call, confirmed from the workflow's audit
 *   hold | release   a legal hold on a call's recording and manifest, each kept as a record beside the manifest
 *   erase     a caller's erasure request, through the caller index (commands/erase.ts)
 *
 * main(argv, io) is the whole program: it takes the arguments (without node and the script) and where to
 * write, and returns the exit code, so tests run it in-process. Exit codes: 0 ok, 1 the operation failed
 * or what it names does not exist, 2 usage or validation error (no command at all is one). With --json every
 * error, usage errors included, is one JSON document on stdout ({"error": {"message", "exitCode"}}), and
 * the exit code is the same as without.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_LOCAL_FILE, STATE_MACHINE_ARN_ENV, type GlobalOptions } from './clients';
import { runAudit, type AuditFormat } from './commands/audit';
import { DEFAULT_CONTROL_WAIT_SECONDS, runControl } from './commands/control';
import { runHistory } from './commands/history';
import { REDRIVE_HELP, runRedrive } from './commands/redrive';
import { runStart } from './commands/start';
import { runStatus } from './commands/status';
import { RECORD_COMMANDS, addRecordCommands } from './commands/record-commands';
import { makeContext, type CliIO, type CommandContext } from './context';
import { EXIT_OK, EXIT_USAGE, toCliError, usageError } from './errors';
import { elideLongRuns, integerIn, positive } from './command-line';
import { KNOWN_OUTCOMES } from './execution-summary';
import { timeOption } from './time-option';
import { CONNECT_TIMEOUT_SECONDS, DEFAULT_TIMEOUT_SECONDS } from './timeouts';

export interface MainOptions {
  env?: NodeJS.ProcessEnv;
  /** Clock for relative --since/--until (tests). */
  now?: () => number;
}

const COMMANDS = ['start', 'status', 'history', 'audit', 'redrive', 'pause', 'resume', 'stop', ...RECORD_COMMANDS];
const positiveSeconds = positive('--wait', false, 'seconds');
const REPORT_STATUSES = ['RUNNING', 'ABORTED', 'TIMED_OUT', 'PENDING_REDRIVE'];
const outcomeList = (v: string) => {
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Unknown names are refused rather than matching nothing: a typo must not look like "no such calls".
  const bad = list.filter((o) => !KNOWN_OUTCOMES.includes(o) && !REPORT_STATUSES.includes(o) && !o.startsWith('States.'));
  if (bad.length || !list.length)
    throw new InvalidArgumentError(
      `unknown outcome ${bad.join(', ') || '(empty)'}; one or more (comma-separated) of ${[...KNOWN_OUTCOMES, ...REPORT_STATUSES].join(', ')} or a States.* error`,
    );
  return list;
};

const EXAMPLES = `
Where it connects:
  AWS (default)   the standard credential chain and region (AWS_PROFILE / --profile, AWS_REGION / --region);
                  the state machine from --state-machine-arn or ${STATE_MACHINE_ARN_ENV}
  --local         the local twin started with \`npm start -- --serve\` (or \`recording-twin --serve\`): from
                  ${DEFAULT_LOCAL_FILE.replace(/.*(\.data)/, '$1')} (override with --local-file)
  --endpoint URL  any Step Functions endpoint (loopback endpoints get dummy credentials); pause/resume/stop
                  send to --chime-endpoint URL (required when --endpoint is loopback: a twin is never AWS)

Exit codes: 0 ok, 1 the operation failed or the execution was not found, 2 usage or validation error.

Examples:
  recording-workflow --local status 7f2c3d1e-...            (a TransactionId or an execution ARN)
  recording-workflow --local history 7f2c3d1e-...
  recording-workflow --local audit --since 24h --format csv > audit.csv
  recording-workflow start --sma-id SMA --transaction-id TX --call-id CALL --location my-bucket/calls
  recording-workflow --local pause 7f2c3d1e-... --by agent-7   (then resume / stop)`;

/** --json anywhere before a "--" (global or per command), or audit's --format json. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  return args.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && args[i + 1] === 'json'));
}

/** How every error is reported: one line on stderr, or with --json one JSON document on stdout. */
type ReportError = (message: string, exitCode: number) => void;

function errorReporter(io: CliIO, json: boolean): ReportError {
  return (message, exitCode) => {
    const text = elideLongRuns(message);
    if (json) io.stdout.write(JSON.stringify({ error: { message: text, exitCode } }, null, 2) + '\n');
    else io.stderr.write(`error: ${text}\n`);
  };
}

function buildProgram(
  io: CliIO,
  env: NodeJS.ProcessEnv,
  now: () => number,
  setExit: (code: number) => void,
  report: ReportError,
  json: boolean,
): Command {
  const program = new Command('recording-workflow')
    .description(
      'Operate the dependable call-recording workflow (Amazon Chime SDK SMA + Step Functions): start, status, history, audit, redrive.',
    )
    .option('--local', 'use the local twin (endpoints file written by `npm start -- --serve`)')
    .option('--local-file <file>', 'the twin endpoints file (implies --local)')
    .option('--endpoint <url>', 'Step Functions endpoint URL (overrides AWS and --local)')
    .option('--chime-endpoint <url>', 'Chime SDK Voice endpoint URL for pause/resume/stop (needed with a loopback --endpoint)')
    .option('--region <region>', 'AWS region (default: from the state machine ARN, else the SDK chain)')
    .option('--profile <name>', 'AWS shared-config profile (default: AWS_PROFILE / default chain)')
    .option('--state-machine-arn <arn>', `the recording workflow (default: ${STATE_MACHINE_ARN_ENV}, or the twin's)`)
    .option('--json', 'machine-readable JSON on stdout (every command)')
    .option(
      '--timeout <seconds>',
      `how long to wait for each answer of an endpoint (default ${DEFAULT_TIMEOUT_SECONDS}; connecting: at most ${CONNECT_TIMEOUT_SECONDS})`,
      positive('--timeout', false, 'seconds'),
    )
    .addHelpText('after', EXAMPLES)
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    // With --json, commander's own error text is not printed: main() reports the error as JSON instead.
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void (json ? undefined : io.stderr.write(elideLongRuns(s))),
    });

  // Each action runs with a fresh context; errors become exit codes in one place.
  const run =
    (fn: (ctx: CommandContext, cmd: Command) => Promise<number>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const ctx = makeContext(io, env, cmd.optsWithGlobals<GlobalOptions>());
      try {
        setExit(await fn(ctx, cmd));
      } catch (e) {
        const err = toCliError(e, `${cmd.name()}`);
        report(err.message, err.exitCode);
        setExit(err.exitCode);
      } finally {
        ctx.close();
      }
    };

  program
    .command('start')
    .description(
      'Start recording a live call: StartExecution named after the TransactionId (a second start for the same call is reported, not repeated).',
    )
    .option('--sma-id <id>', "SIP media application id (default with --local: the twin's)")
    .option('--transaction-id <id>', "the call's SMA TransactionId (names the execution)")
    .option('--call-id <id>', 'CallId of the leg to record')
    // No commander .choices(): the shared validation names the field and the allowed values itself.
    .option('--track <track>', 'which audio to record: BOTH, INCOMING or OUTGOING', 'BOTH')
    .option('--location <bucket[/prefix]>', 'S3 destination: bucket, optionally with a key prefix')
    .option('--consent-text <text>', "the notice spoken to every leg (default: the workflow's)")
    .option('--caller <e164>', "the caller's number: the call is indexed (by a keyed hash) for erasure requests")
    .option('--wait [seconds]', 'wait for the outcome (default 600 s); exit 1 unless the execution SUCCEEDED', positiveSeconds)
    .option('--json', 'JSON output')
    .addHelpText(
      'after',
      "\nValidation is the SMA Lambda's and the workflow's (lambdas/shared/recording-request.ts): an invalid value exits 2 naming the option.\nIf an execution already exists for the transaction: same call -> exit 0 with a note; another call -> exit 1.",
    )
    .action(run((ctx, cmd) => runStart(ctx, cmd.opts())));

  program
    .command('status')
    .description(
      'One call: outcome, status, current state (if running), start attempts with errors, consent notice, recording and manifest keys.',
    )
    .argument('<transactionId|executionArn>', 'the SMA TransactionId, or the execution ARN')
    .option('--json', 'JSON output')
    .action(run((ctx, cmd) => runStatus(ctx, cmd.args[0], cmd.opts())));

  program
    .command('history')
    .description(
      "The execution's events as a timeline: offset, type, state, error/cause (each retry is its own TaskScheduled/TaskFailed). Task tokens are redacted.",
    )
    .argument('<transactionId|executionArn>', 'the SMA TransactionId, or the execution ARN')
    .option('--page-size <n>', 'GetExecutionHistory page size (1-1000)', integerIn('--page-size', 1, 1000), 1000)
    .option('--wide', 'do not shorten causes')
    .option('--json', 'JSON output (events with task tokens redacted, and the timeline)')
    .action(run((ctx, cmd) => runHistory(ctx, cmd.args[0], cmd.opts())));

  program
    .command('audit')
    .description(
      'Retry-audit report: every execution started in the period (all statuses), per call and totals per outcome and per start error.',
    )
    .option('--since <time>', 'from this start time: ISO 8601 (2025-11-25, 2025-11-25T13:00:00Z) or an age (90m, 24h, 7d)', timeOption(now))
    .option('--until <time>', 'before this start time (same forms)', timeOption(now))
    .option(
      '--outcome <outcomes>',
      `only these outcomes, comma-separated (${KNOWN_OUTCOMES.join(', ')}, RUNNING, ABORTED, TIMED_OUT)`,
      outcomeList,
    )
    .addOption(
      new Option('--format <format>', 'table, json or csv (csv: one row per call on stdout, totals on stderr)').choices([
        'table',
        'json',
        'csv',
      ]),
    )
    .option('--page-size <n>', 'ListExecutions page size (1-1000)', integerIn('--page-size', 1, 1000), 100)
    .option('--concurrency <n>', 'DescribeExecution calls in flight (1-32)', integerIn('--concurrency', 1, 32), 8)
    .option('--json', 'same as --format json')
    .option('--holds', "each call's legal holds and releases (records beside its manifest, read from S3)")
    .action(
      run(async (ctx, cmd) => {
        const o = cmd.opts<{
          holds?: boolean;
          since?: Date;
          until?: Date;
          outcome?: string[];
          format?: AuditFormat;
          json?: boolean;
          pageSize: number;
          concurrency: number;
        }>();
        if (o.since && o.until && o.since >= o.until)
          throw usageError(`--since (${o.since.toISOString()}) must be before --until (${o.until.toISOString()})`);
        return runAudit(ctx, o);
      }),
    );

  program
    .command('redrive')
    .description('RedriveExecution for a FAILED, TIMED_OUT or ABORTED execution (continues from the step that did not succeed).')
    .argument('<transactionId|executionArn>', 'the SMA TransactionId, or the execution ARN')
    .option('--force', 'redrive even an execution that ended in one of our Fail-state outcomes (it will fail again)')
    .option('--wait [seconds]', 'wait for the result (default 600 s); exit 1 unless the execution SUCCEEDED', positiveSeconds)
    .option('--json', 'JSON output')
    .addHelpText('after', REDRIVE_HELP)
    .action(run((ctx, cmd) => runRedrive(ctx, cmd.args[0], cmd.opts())));

  for (const [name, action, what] of [
    [
      'pause',
      'PAUSE',
      'Pause the recording of a live call (silence and a tone are recorded until resume), e.g. while a card number is read.',
    ],
    ['resume', 'RESUME', 'Resume a paused recording.'],
    ['stop', 'STOP', 'Stop the recording for the rest of the call; it is delivered and verified as usual.'],
  ] as const) {
    program
      .command(name)
      .description(`${what} Waits for the workflow's decision (applied, not needed, refused with the SMA's error).`)
      .argument('<transactionId|executionArn>', 'the SMA TransactionId, or the execution ARN')
      .option('--by <who>', 'who asks, as the audit shows it (default cli:<login>)')
      .option('--wait <seconds>', `how long to wait for the decision (default ${DEFAULT_CONTROL_WAIT_SECONDS} s)`, positiveSeconds)
      .option('--no-wait', 'send the request and return')
      .option('--json', 'JSON output')
      .action(run((ctx, cmd) => runControl(ctx, action, cmd.args[0], cmd.opts())));
  }
  addRecordCommands(program, run, now);

  return program;
}

/** The command argv names, if it is not one of COMMANDS (undefined when there is none, or argv does not parse). */
function unknownCommandIn(argv: string[]): string | undefined {
  const silent = { write: () => true };
  const noop = () => undefined;
  try {
    const [first, second] = buildProgram({ stdout: silent, stderr: silent }, {}, Date.now, noop, noop, false).parseOptions(argv).operands;
    const named = first === 'help' ? second : first;
    return named !== undefined && !COMMANDS.includes(named) ? named : undefined;
  } catch {
    return undefined; // the real parse reports it
  }
}

export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
  options: MainOptions = {},
): Promise<number> {
  let exitCode = EXIT_OK;
  const json = wantsJson(argv);
  const report = errorReporter(io, json);
  const program = buildProgram(io, options.env ?? process.env, options.now ?? Date.now, (code) => (exitCode = code), report, json);
  const noCommand = `no command given: one of ${COMMANDS.join(', ')} (add --help for usage)`;
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    report(noCommand, EXIT_USAGE);
    return EXIT_USAGE;
  }
  // Commander answers `<unknown> --help` with the general help and exit 0 (help is looked for before the
  // command): a typo in a script's command must fail, naming it. Probed on a program of its own, since
  // parseOptions records the option values it meets.
  const named = unknownCommandIn(argv);
  if (named !== undefined) {
    report(`unknown command '${named}': one of ${COMMANDS.join(', ')} (add --help for usage)`, EXIT_USAGE);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help, `help` and --version end with exit code 0. Help shown because no command was given (exit
      // code 1 from commander) is a usage error, as is anything else commander rejects.
      if (e.exitCode === 0) return EXIT_OK;
      if (e.code === 'commander.help') report(noCommand, EXIT_USAGE);
      else if (json) report(e.message.replace(/^error: /, ''), EXIT_USAGE);
      return EXIT_USAGE;
    }
    const err = toCliError(e);
    report(err.message, err.exitCode);
    return err.exitCode;
  }
  return exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
