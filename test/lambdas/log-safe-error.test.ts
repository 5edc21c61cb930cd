/**
 * The one log-safe error formatter of lambdas/ (lambdas/shared/log-safe-error.ts): what every catch that logs an
 * error, or puts one into a SendTaskFailure cause, goes through.
 */
import { MIN_TOKEN_FRAGMENT } from '../../lambdas/shared/mask';
import { logSafeError, logSafeMessage } from '../../lambdas/shared/log-safe-error';
import { makeToken } from './helpers';

const token = makeToken('formatter-token', 900);
const fragmentsOf = (text: string) => {
  const found: string[] = [];
  for (let i = 0; i + MIN_TOKEN_FRAGMENT <= token.length; i++)
    if (text.includes(token.slice(i, i + MIN_TOKEN_FRAGMENT))) found.push(token.slice(i, i + MIN_TOKEN_FRAGMENT));
  return found;
};

it('never includes the task token, whole or in pieces, in the message or in a wrapped cause', () => {
  const inner = Object.assign(new Error(`Provided token is invalid: '${token.slice(0, 200)}...'`), { name: 'InvalidToken' });
  const outer = new Error(`callback for ${token.slice(300, 330)} failed`, { cause: inner });
  const logged = logSafeError(outer, token);
  expect(fragmentsOf(JSON.stringify(logged))).toEqual([]);
  expect(logged).toEqual({
    error: 'Error',
    errorMessage: "callback for <task token> failed; caused by: Provided token is invalid: '<task token>...'",
  });
});

it('removes a secret-looking run even when no token is known (the handler-level catch has none)', () => {
  const logged = logSafeError(new Error(`bad token ${token.slice(0, 120)}`));
  expect(fragmentsOf(JSON.stringify(logged))).toEqual([]);
  expect(logged.errorMessage).toBe('bad token <redacted>');
});

it('masks phone numbers, escapes control characters and bounds the message', () => {
  const e = Object.assign(new Error(`no route to +12065550199\nforged line ${'x'.repeat(2000)}`), { name: 'RouteError' });
  const { error, errorMessage } = logSafeError(e, undefined, 60);
  expect(error).toBe('RouteError');
  expect(errorMessage).toBe(`no route to +1********99\\u000aforged line ${'x'.repeat(23)}…`);
});

it('names what is not an Error, and gives nothing for no error', () => {
  expect(logSafeError('plain string thrown')).toEqual({ error: 'string', errorMessage: 'plain string thrown' });
  expect(logSafeError(undefined)).toEqual({});
  expect(logSafeMessage(new Error('x'), token)).toBe('x');
});
