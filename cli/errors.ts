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
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export const usageError = (message: string, options?: ErrorOptions) => new CliError(message, EXIT_USAGE, options);

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  code?: string;
  cause?: unknown;
}

/** The system error code (`ECONNREFUSED`, ...) of an error or of the error it wraps, if any. */
function systemCode(e: unknown): string | undefined {
  for (let err = e as SdkErrorLike | undefined, depth = 0; err && depth < 5; err = err.cause as SdkErrorLike | undefined, depth++)
    if (typeof err.code === 'string') return err.code;
  return undefined;
}

/** Turns whatever a command threw into a CliError with a message an operator can act on. */
export function toCliError(e: unknown, what = 'the request'): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof RecordingRequestError) return usageError(`invalid ${e.field}: ${e.reason}`, { cause: e });
  const err = (e ?? {}) as SdkErrorLike;
  const name = err.name ?? '';
  const message = scrubText(err.message ?? String(e));
  switch (name) {
    case 'ExecutionDoesNotExist':
      return new CliError(`execution not found: ${message}`, EXIT_FAILED, { cause: e });
    case 'StateMachineDoesNotExist':
      return new CliError(
        `state machine not found: ${message} (check --state-machine-arn / RECORDING_STATE_MACHINE_ARN and --region)`,
        EXIT_FAILED,
        { cause: e },
      );
    case 'InvalidArn':
      return usageError(`invalid ARN: ${message}`, { cause: e });
    case 'ValidationException':
    case 'InvalidName':
    case 'InvalidExecutionInput':
      return usageError(`${name}: ${message}`, { cause: e });
    case 'CredentialsProviderError':
      return new CliError(
        `no AWS credentials: ${message} (configure the standard credential chain, e.g. AWS_PROFILE, or use --local for the twin)`,
        EXIT_FAILED,
        { cause: e },
      );
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
      return new CliError(`not allowed: ${message}`, EXIT_FAILED, { cause: e });
  }
  if (systemCode(e) === 'ECONNREFUSED') {
    return new CliError(
      `cannot reach the Step Functions endpoint while ${what}: connection refused (is the twin running? \`npm start -- --serve\`)`,
      EXIT_FAILED,
      { cause: e },
    );
  }
  return new CliError(`${what} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`, EXIT_FAILED, { cause: e });
}
