/**
 * The account's quotas as the real SDK clients see them, through the twin's endpoints (issue 21): the Chime SDK
 * Voice rate limits as 429 ThrottledClientException, Step Functions' as 400 ThrottlingException (AWS JSON 1.0
 * `__type`), the SMA's active calls as a call refused before the Lambda hears of it, and a throttled workflow start
 * as a call without a workflow. Buckets with a refill of 0.001/s: in these tests' few virtual seconds, the bucket's
 * size is all there is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChimeSDKVoiceClient,
  CreateSipMediaApplicationCallCommand,
  ThrottledClientException,
  UpdateSipMediaApplicationCallCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import {
  SFNClient,
  SFNServiceException,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { parseQuota } from '../../local/quota/quotas';
import { runCalls } from '../../local/scenario/runner';
import { parseScenario } from '../../local/scenario/scenario-file';
import { TWIN_CREDENTIALS } from '../../local/twin/credentials';
import { TWIN_REGION, startTwin, type Twin } from '../../local/twin/twin';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
async function twinWith(quota: string, seed = 21): Promise<Twin> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quota-'));
  dirs.push(dataDir);
  return startTwin({ dataDir, seed, quota: parseQuota(quota)! });
}
/** The error a command fails with (the test fails if it succeeds). */
async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('the request succeeded');
}

describe('the Chime SDK Voice endpoint', () => {
  let twin: Twin;
  let chime: ChimeSDKVoiceClient;
  beforeAll(async () => {
    twin = await twinWith('update=2/0.001,create=1/0.001');
    // maxAttempts 1: the SDK's own retries would wait in wall time while virtual time (and the bucket) stands still.
    chime = new ChimeSDKVoiceClient({
      endpoint: twin.endpoints.chimesdkvoice,
      region: TWIN_REGION,
      credentials: TWIN_CREDENTIALS,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    chime.destroy();
    await twin.close();
  });

  it('UpdateSipMediaApplicationCall over the bucket: ThrottledClientException, HTTP 429, counted', async () => {
    const update = () =>
      chime.send(
        new UpdateSipMediaApplicationCallCommand({
          SipMediaApplicationId: twin.sipMediaApplicationId,
          TransactionId: 'gone',
          Arguments: {},
        }),
      );
    // Within the bucket the request goes on (here to a call that is over); the third is refused before that.
    expect((await errorOf(update())).name).toBe('NotFoundException');
    expect((await errorOf(update())).name).toBe('NotFoundException');
    const e = await errorOf(update());
    expect(e).toBeInstanceOf(ThrottledClientException);
    expect(e.name).toBe('ThrottledClientException');
    expect(e.$metadata?.httpStatusCode).toBe(429);
    expect(twin.account!.throttled).toEqual({ UpdateSipMediaApplicationCall: 1 });
    expect(twin.account!.throttledCalls.has('gone')).toBe(true);
    expect(twin.account!.updatesByCall.get('gone')).toBe(2);
  });

  it('CreateSipMediaApplicationCall over its bucket: ThrottledClientException, HTTP 429', async () => {
    const create = () =>
      chime.send(
        new CreateSipMediaApplicationCallCommand({
          SipMediaApplicationId: twin.sipMediaApplicationId,
          FromPhoneNumber: '+15550100100',
          ToPhoneNumber: '+15550100200',
        }),
      );
    const first = await errorOf(create());
    expect(first.$metadata?.httpStatusCode).toBe(501); // admitted; the twin places no outbound calls
    const e = await errorOf(create());
    expect(e).toBeInstanceOf(ThrottledClientException);
    expect(e.$metadata?.httpStatusCode).toBe(429);
  });
});

describe('the Step Functions endpoint', () => {
  let twin: Twin;
  let sfn: SFNClient;
  beforeAll(async () => {
    twin = await twinWith('startExecution=1/0.001,sendTask=2/0.001');
    sfn = new SFNClient({ endpoint: twin.endpoints.stepfunctions, region: TWIN_REGION, credentials: TWIN_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    sfn.destroy();
    await twin.close();
  });

  it('StartExecution over its bucket: ThrottlingException, HTTP 400 (the SDK has no modeled shape: SFNServiceException)', async () => {
    const start = () => sfn.send(new StartExecutionCommand({ stateMachineArn: `${twin.stateMachineArn}-none`, name: 'tx-1', input: '{}' }));
    expect((await errorOf(start())).name).toBe('StateMachineDoesNotExist');
    const e = await errorOf(start());
    expect(e).toBeInstanceOf(SFNServiceException);
    expect(e.name).toBe('ThrottlingException');
    expect(e.$metadata?.httpStatusCode).toBe(400);
    expect(twin.account!.throttledCalls.has('tx-1')).toBe(true);
  });

  it('SendTaskSuccess, SendTaskHeartbeat and SendTaskFailure share one bucket', async () => {
    const token = 'not-a-token';
    expect((await errorOf(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).name).not.toBe('ThrottlingException');
    expect((await errorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })))).name).not.toBe('ThrottlingException');
    const e = await errorOf(sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'x' })));
    expect(e.name).toBe('ThrottlingException');
    expect(e.$metadata?.httpStatusCode).toBe(400);
    expect(twin.account!.throttled).toEqual(expect.objectContaining({ SendTaskFailure: 1 }));
  });
});

describe('calls under quotas', () => {
  it('the SMA refuses a call over its active calls; the call before it is recorded', async () => {
    const twin = await twinWith('activeCalls=1');
    try {
      const placed: string[] = [];
      const place = twin.emulator.placeCall.bind(twin.emulator);
      twin.emulator.placeCall = (spec) => {
        placed.push(spec.transactionId!);
        return place(spec);
      };
      const results = await runCalls(
        twin,
        parseScenario({
          calls: [
            { name: 'a', durationSeconds: 30 },
            { name: 'b', durationSeconds: 30 },
          ],
        }),
      );
      expect(results.map((r) => r.outcome ?? r.status).sort()).toEqual(['RECORDED', 'REJECTED']);
      expect(placed).toHaveLength(1); // the refused call never reached the SMA (nor its Lambda)
      expect(twin.account!.rejectedCalls).toBe(1);
      expect(twin.account!.activeCalls).toBe(0);
    } finally {
      await twin.close();
    }
  });

  it('an on-demand StartExecution refused by throttling leaves the call without a workflow, said so', async () => {
    const twin = await twinWith('startExecution=1/0.05');
    try {
      const calls = parseScenario({
        calls: [
          { name: 'a', durationSeconds: 10, record: { by: 'demand', atSeconds: 2 } },
          { name: 'b', durationSeconds: 10, record: { by: 'demand', atSeconds: 2 } },
        ],
      });
      const results = await runCalls(twin, calls);
      expect(results.map((r) => r.outcome ?? r.status).sort()).toEqual(['NOT_STARTED', 'RECORDED']);
      const refused = results.find((r) => r.status === 'NOT_STARTED')!;
      expect(refused).toEqual(expect.objectContaining({ startThrottled: true, recordBy: 'demand' }));
      expect(twin.account!.throttled.StartExecution).toBeGreaterThanOrEqual(1);
    } finally {
      await twin.close();
    }
  });

  it('by policy the Lambda starts the workflow at answer; its start throttled on every event of the call, the call has none', async () => {
    // One StartExecution every 20 s: the second call's retries (its start's result, its notice's end, its hangup at
    // 10 s) all find the bucket empty; the recordings' Reconcile executions get the later tokens.
    const twin = await twinWith('startExecution=1/0.05');
    try {
      const results = await runCalls(
        twin,
        parseScenario({ calls: [1, 2].map((i) => ({ name: `p${i}`, legs: 2, durationSeconds: 10, record: { by: 'policy' } })) }),
      );
      expect(results.map((r) => r.outcome ?? r.status).sort()).toEqual(['NOT_STARTED', 'RECORDED']);
      expect(results.every((r) => r.recordBy === 'policy')).toBe(true);
      const recorded = results.find((r) => r.outcome === 'RECORDED')!;
      expect(recorded.recordings[0]!.startedAtMs - recorded.answeredAtMs!).toBeLessThan(2000);
      expect(twin.account!.throttled.StartExecution).toBeGreaterThanOrEqual(1);
    } finally {
      await twin.close();
    }
  });

  it('which calls the update bucket throttles is a function of the seed: two runs agree call for call', async () => {
    const scenario = parseScenario({
      calls: Array.from({ length: 8 }, (_, i) => ({ name: `c${i}`, legs: (i % 2) + 1, durationSeconds: 40 })),
    });
    const runOnce = async () => {
      const twin = await twinWith('update=3/1', 99);
      try {
        const results = await runCalls(twin, scenario);
        return { calls: results.map((r) => [r.name, r.executionName, r.outcome, r.startAttempts]), throttled: twin.account!.throttled };
      } finally {
        await twin.close();
      }
    };
    const first = await runOnce();
    expect(first.throttled.UpdateSipMediaApplicationCall).toBeGreaterThan(0);
    expect(await runOnce()).toEqual(first);
  });
});
