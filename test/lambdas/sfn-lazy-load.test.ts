/**
 * The standalone handler loads the Step Functions SDK on first use (lambdas/recording/sfn-sdk.ts, issue 9's cold
 * start): an event that calls no Step Functions API never loads it; the first callback loads it, makes the one
 * client with the configured bounds, and sends.
 */
import { TokenAttribute } from '../../lambdas/shared/workflow-contract';
import { capturingLogger, fakeContext, fixture, makeToken, withAttributes } from './helpers';

type Sdk = typeof import('../../lambdas/recording/sfn-sdk-exports');

function isolatedHandler() {
  const loads: string[] = [];
  const clients: unknown[] = [];
  const sent: Array<{ command: string; input: unknown }> = [];
  let handler!: (event: unknown, context: unknown) => Promise<unknown>;
  jest.isolateModules(() => {
    jest.doMock('../../lambdas/recording/sfn-sdk-exports', () => {
      loads.push('@aws-sdk/client-sfn');
      const actual = jest.requireActual('../../lambdas/recording/sfn-sdk-exports') as Sdk;
      // The real commands; a client that records what it would send (no network in tests).
      class SFNClient {
        constructor(readonly config: unknown) {
          clients.push(config);
        }
        async send(command: { constructor: { name: string }; input: unknown }) {
          sent.push({ command: command.constructor.name, input: command.input });
          return {};
        }
      }
      return { ...actual, SFNClient };
    });
    const { createHandler } = require('../../lambdas/sma-handler/handler') as typeof import('../../lambdas/sma-handler/handler');
    const { loadConfig } = require('../../lambdas/sma-handler/config') as typeof import('../../lambdas/sma-handler/config');
    handler = createHandler({ config: loadConfig({ UNROUTED_CALLS: 'hold' }), logger: capturingLogger().logger }) as never;
  });
  return { loads, clients, sent, invoke: (event: unknown) => handler(event, fakeContext()) };
}

afterEach(() => jest.dontMock('../../lambdas/recording/sfn-sdk-exports'));

it('events without a callback never load the SDK; the first callback loads it once and sends through one bounded client', async () => {
  const h = isolatedHandler();
  expect(h.loads).toEqual([]);
  for (const name of ['NEW_INBOUND_CALL', 'RINGING', 'ACTION_SUCCESSFUL', 'DIGITS_RECEIVED', 'HANGUP']) await h.invoke(fixture(name));
  expect(h.loads).toEqual([]);

  const token = makeToken('end');
  await h.invoke(withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: token }));
  await h.invoke(withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: token }));
  expect(h.loads).toEqual(['@aws-sdk/client-sfn']);
  expect(h.clients).toEqual([
    expect.objectContaining({
      maxAttempts: 2,
      requestHandler: expect.objectContaining({ connectionTimeout: 500, throwOnRequestTimeout: true }),
    }),
  ]);
  expect(h.sent.map((s) => s.command)).toEqual(['SendTaskSuccessCommand', 'SendTaskSuccessCommand']);
  expect(h.sent[0].input).toMatchObject({ taskToken: token });
});
