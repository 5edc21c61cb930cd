/** cli/errors.ts: detail comes from the errors' fields, never from their message text; the original is the cause. */
import { RecordingRequestError } from '../../lambdas/shared/recording-request';
import { EXIT_FAILED, EXIT_USAGE, toCliError } from '../../cli/errors';

it('a validation error names the field and its reason, from the fields', () => {
  const e = new RecordingRequestError('track', 'must be one of BOTH, INCOMING, OUTGOING');
  const cli = toCliError(e);
  expect(cli.message).toBe('invalid track: must be one of BOTH, INCOMING, OUTGOING');
  expect(cli.exitCode).toBe(EXIT_USAGE);
  expect(cli.cause).toBe(e);
});

it('a refused connection is known by its code, also when an SDK error wraps it', () => {
  const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
  const wrapped = new Error('request failed', { cause: refused });
  for (const e of [refused, wrapped]) {
    const cli = toCliError(e, 'listing executions');
    expect(cli.message).toMatch(/^cannot reach the Step Functions endpoint while listing executions: connection refused/);
    expect(cli.exitCode).toBe(EXIT_FAILED);
    expect(cli.cause).toBe(e);
  }
  // The words alone are not a code: a message that merely mentions it is reported as it is.
  expect(toCliError(new Error('saw ECONNREFUSED once'), 'x').message).toBe('x failed: saw ECONNREFUSED once');
});
