/**
 * The caller-key function: the workflow's HashCaller state sends `{"caller": "+E164"}` and gets back
 * `{"callerKey": "<hex HMAC-SHA256>"}` (or `{"problem": "..."}` for a value that is not E.164, without the value).
 * The HMAC key is the SecretString of the secret CALLER_KEY_SECRET_ID names, read once per container; it never
 * leaves this function. The twin runs this same code, its Secrets Manager client pointed at the twin's endpoint.
 * Nothing is logged: the event is a phone number.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { callerKey, e164Problem } from '../shared/caller-key';

export interface CallerKeyDeps {
  secrets: Pick<SecretsManagerClient, 'send'>;
  secretId: string;
}

export type CallerKeyAnswer = { callerKey: string } | { problem: string };

export function createCallerKeyHandler(deps: CallerKeyDeps): (event: { caller?: unknown }) => Promise<CallerKeyAnswer> {
  let key: Promise<string> | undefined;
  const readKey = async () => {
    const secret = await deps.secrets.send(new GetSecretValueCommand({ SecretId: deps.secretId }));
    if (!secret.SecretString) throw new Error(`secret ${deps.secretId} has no SecretString`);
    return secret.SecretString;
  };
  return async (event) => {
    const problem = e164Problem(event?.caller);
    if (problem) return { problem };
    key ??= readKey().catch((e) => {
      key = undefined; // read again on the next call
      throw e;
    });
    return { callerKey: callerKey(await key, event.caller as string) };
  };
}

let handlerInstance: ReturnType<typeof createCallerKeyHandler> | undefined;
export const handler = (event: { caller?: unknown }): Promise<CallerKeyAnswer> => {
  const secretId = process.env.CALLER_KEY_SECRET_ID;
  if (!secretId) throw new Error('CALLER_KEY_SECRET_ID is not set');
  handlerInstance ??= createCallerKeyHandler({ secrets: new SecretsManagerClient({}), secretId });
  return handlerInstance(event);
};
