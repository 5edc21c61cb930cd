/** The commands that act on a call's objects in S3 (issue 24): hold, release, erase. */
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CALLER_INDEX_ENV, CALLER_KEY_SECRET_ENV } from '../s3-access';
import { runErase } from './erase';
import { runLegalHold } from './legal-hold';

type Run = (fn: (ctx: CommandContext, cmd: Command) => Promise<number>) => (...args: unknown[]) => Promise<void>;

export const RECORD_COMMANDS = ['hold', 'release', 'erase'];

export function addRecordCommands(program: Command, run: Run, now: () => number): void {
  for (const [name, action, what] of [
    [
      'hold',
      'HOLD',
      "Put a legal hold on every version of a call's recording and manifest (PutObjectLegalHold ON): no one can delete them until it is released.",
    ],
    ['release', 'RELEASE', 'Release the legal hold of a call (PutObjectLegalHold OFF on every version); its retention still applies.'],
  ] as const) {
    program
      .command(name)
      .description(
        `${what} The ${name} is kept as its own record beside the manifest (written once), shown by \`audit --holds\` and the console.`,
      )
      .argument('<transactionId|executionArn>', 'the SMA TransactionId, or the execution ARN')
      .requiredOption('--reason <text>', 'why (a case or request reference; no phone number)')
      .requiredOption('--by <who>', 'who decided it')
      .option('--json', 'JSON output')
      .action(run((ctx, cmd) => runLegalHold(ctx, action, cmd.args[0], cmd.opts(), now)));
  }
  program
    .command('erase')
    .description(
      "A caller's erasure request: deletes every version of the recordings and manifests of the caller's calls, found through the caller index (a keyed hash of the number), except those under legal hold or unexpired retention, which are refused and named. Writes an erasure record without the number. Running it again erases nothing more.",
    )
    .requiredOption('--caller <e164>', "the caller's number, E.164 (e.g. +15550100)")
    .option('--from <day>', 'only calls started on or after this day (YYYY-MM-DD, UTC)')
    .option('--to <day>', 'only calls started on or before this day (YYYY-MM-DD, UTC)')
    .requiredOption('--by <who>', 'who carries out the request')
    .requiredOption('--reason <text>', 'the request reference (no phone number)')
    .option('--dry-run', 'say what would be erased and refused; delete nothing, write no record')
    .option('--bypass-governance', 'delete GOVERNANCE-retained versions too (x-amz-bypass-governance-retention; recorded)')
    .option('--caller-key-secret <id>', `the caller-key secret (default: the twin's, or ${CALLER_KEY_SECRET_ENV})`)
    .option('--index <bucket/prefix>', `the caller index (default: the twin's, or ${CALLER_INDEX_ENV})`)
    .option('--json', 'JSON output: {"erased":[{"transactionId","keys","versions"}],"refused":[{"transactionId","reason"}],"record"}')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (refusals by legal hold or retention are part of the answer), 1 a deletion failed, 2 bad input (not E.164, a bad day).',
    )
    .action(run((ctx, cmd) => runErase(ctx, cmd.opts(), now)));
}
