/**
 * What the recording uses of @aws-sdk/client-sfn, as static ES exports: sfn-sdk.ts requires this module (not
 * the package), so the bundler still resolves the package's ES build and keeps only these four (requiring the
 * package itself bundled its whole CommonJS build, every command: about 36 KB more to compile at cold start).
 */
export { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
