/**
 * The caller index's key (lambdas/shared/caller-key.ts) and the caller-key function (lambdas/caller-index): an HMAC
 * of the E.164 number under the secret key, the key read from Secrets Manager once per container, a bad number
 * answered with a problem that does not repeat it.
 */
import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createCallerKeyHandler } from '../../lambdas/caller-index/handler';
import { callerKey, e164Problem } from '../../lambdas/shared/caller-key';

it('is HMAC-SHA256 of the number under the key: the same number gives the same key, another key another', () => {
  const a = callerKey('k1', '+15550100');
  expect(a).toBe(createHmac('sha256', 'k1').update('+15550100').digest('hex'));
  expect(callerKey('k1', '+15550100')).toBe(a);
  expect(callerKey('k2', '+15550100')).not.toBe(a);
  expect(callerKey('k1', '+15550101')).not.toBe(a);
  expect(a).not.toContain('5550100');
});

it('takes E.164 only, and names what is wrong without the value', () => {
  for (const ok of ['+15550100', '+442071838750', '+123']) expect(e164Problem(ok)).toBeUndefined();
  for (const bad of ['15550100', '+05550100', '+1 555 0100', '+1234567890123456', '', 15550100]) {
    const problem = e164Problem(bad);
    expect(problem).toMatch(/^caller: must be an E.164 number/);
    expect(problem).not.toContain('5550100');
  }
  expect(() => callerKey('k', '555')).toThrow('caller: must be an E.164 number');
});

it('the function reads the key once, answers the HMAC, and a problem for a bad number', async () => {
  const sm = mockClient(SecretsManagerClient);
  sm.on(GetSecretValueCommand).resolves({ SecretString: 'secret-key' });
  const handler = createCallerKeyHandler({ secrets: new SecretsManagerClient({ region: 'us-east-1' }), secretId: 'arn:secret' });
  expect(await handler({ caller: '+15550100' })).toEqual({ callerKey: callerKey('secret-key', '+15550100') });
  expect(await handler({ caller: '+15550199' })).toEqual({ callerKey: callerKey('secret-key', '+15550199') });
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: 'arn:secret' });
  const bad = await handler({ caller: '5550100' });
  expect(bad).toEqual({ problem: expect.stringMatching(/^caller: must be an E.164/) });
  expect(JSON.stringify(bad)).not.toContain('5550100');
  sm.restore();
});

it('a failed key read is retried on the next call, not cached', async () => {
  const sm = mockClient(SecretsManagerClient);
  sm.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'k' });
  const handler = createCallerKeyHandler({ secrets: new SecretsManagerClient({ region: 'us-east-1' }), secretId: 's' });
  await expect(handler({ caller: '+15550100' })).rejects.toThrow('throttled');
  expect(await handler({ caller: '+15550100' })).toEqual({ callerKey: callerKey('k', '+15550100') });
  sm.restore();
});
