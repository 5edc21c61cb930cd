/**
 * Exit codes and the errors that carry them. Commands throw CliError; main() prints the message and returns
 * the code. SDK errors are translated here so every command reports "not found" and friends the same way.
 */
import { RecordingRequestError } from '../lambdas/shared/recording-request';
import { scrubText } from './format';

export const EXIT_OK = 0;
/** The operation failed, or what it was asked about does not exist. */
export const EXIT_FAILED = 1;
/** Bad usage: unknown option, a value that does not validate, missing configuration. */
export const EXIT_USAGE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT_USAGE);

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  code?: string;
}

/** Turns whatever a command threw into a CliError with a message an operator can act on. */
export function toCliError(e: unknown, what = 'the request'): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof RecordingRequestError) return usageError(`invalid ${e.field}: ${e.message.slice(e.field.length + 2)}`);
  const err = (e ?? {}) as SdkErrorLike;
  const name = err.name ?? '';
  const message = scrubText(err.message ?? String(e));
  switch (name) {
    case 'ExecutionDoesNotExist':
      return new CliError(`execution not found: ${message}`, EXIT_FAILED);
    case 'StateMachineDoesNotExist':
      return new CliError(
        `state machine not found: ${message} (check --state-machine-arn / RECORDING_STATE_MACHINE_ARN and --region)`,
        EXIT_FAILED,
      );
    case 'InvalidArn':
      return usageError(`invalid ARN: ${message}`);
    case 'ValidationException':
    case 'InvalidName':
    case 'InvalidExecutionInput':
      return usageError(`${name}: ${message}`);
    case 'CredentialsProviderError':
      return new CliError(
        `no AWS credentials: ${message} (configure the standard credential chain, e.g. AWS_PROFILE, or use --local for the twin)`,
        EXIT_FAILED,
      );
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
      return new CliError(`not allowed: ${message}`, EXIT_FAILED);
  }
  if (err.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return new CliError(
      `cannot reach the Step Functions endpoint while ${what}: connection refused (is the twin running? \`npm start -- --serve\`)`,
      EXIT_FAILED,
    );
  }
  return new CliError(`${what} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`, EXIT_FAILED);
}
