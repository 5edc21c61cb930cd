/**
 * The caller index in the twin: the twin's Secrets Manager holding the HMAC key (seeded: a run's index keys follow
 * from its seed), the caller-key function (lambdas/caller-index, the same code as in AWS, its Secrets Manager client
 * pointed at the twin), and the `lambda` binding the Step Functions twin's `aws-sdk:lambda:invoke` tasks go through:
 * an in-process Invoke with Lambda's answer shape (Payload as the JSON text the function returned, FunctionError
 * "Unhandled" when it threw), so no Lambda endpoint is needed.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createCallerKeyHandler } from '../../lambdas/caller-index/handler';
import type { Clock } from '../clock';
import type { SeededRandom } from '../random';
import { startSecretsServer } from '../secrets/server';
import type { ServiceBinding } from '../stepfunctions/aws-sdk-invoker';
import { trackClient } from './clock-tracking';
import { TWIN_CREDENTIALS } from './credentials';

export const CALLER_KEY_SECRET = 'recording-caller-index-key';
export const CALLER_KEY_FUNCTION = 'recording-caller-key';
/** Where the twin's workflow writes the caller index (CallerIndexLocation). */
export const TWIN_INDEX_PREFIX = 'caller-index';

export async function startCallerIndex(options: { region: string; accountId: string; clock: Clock; random: SeededRandom }) {
  const key = `twin-${options.random.uuid()}`; // a local key, from the seed
  const secrets = await startSecretsServer({
    secrets: { [CALLER_KEY_SECRET]: key },
    region: options.region,
    accountId: options.accountId,
    clock: options.clock,
  });
  const client = trackClient(
    new SecretsManagerClient({ endpoint: secrets.endpoint, region: options.region, credentials: TWIN_CREDENTIALS }),
    options.clock,
  );
  const functions: Record<string, (event: never) => Promise<unknown>> = {
    [CALLER_KEY_FUNCTION]: createCallerKeyHandler({ secrets: client, secretId: CALLER_KEY_SECRET }),
  };
  class InvokeCommand {
    constructor(readonly input: { FunctionName?: string; Payload?: unknown }) {}
  }
  class LambdaClient {
    readonly config = {};
    async send(command: InvokeCommand) {
      const name = String(command.input.FunctionName ?? '')
        .split(':')
        .pop() as string;
      const fn = functions[name];
      if (!fn)
        throw Object.assign(new Error(`Function not found: ${command.input.FunctionName}`), {
          name: 'ResourceNotFoundException',
          $metadata: { httpStatusCode: 404 },
        });
      const payload = typeof command.input.Payload === 'string' ? JSON.parse(command.input.Payload) : command.input.Payload;
      try {
        return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: JSON.stringify(await fn(payload as never)) };
      } catch (e) {
        return {
          StatusCode: 200,
          FunctionError: 'Unhandled',
          Payload: JSON.stringify({ errorType: (e as Error).name, errorMessage: (e as Error).message }),
        };
      }
    }
    destroy() {}
  }
  const binding: ServiceBinding = { errorPrefix: 'Lambda', module: { LambdaClient, InvokeCommand }, clientName: 'LambdaClient' };
  return {
    binding,
    secretsEndpoint: secrets.endpoint,
    async close() {
      client.destroy();
      await secrets.close();
    },
  };
}
