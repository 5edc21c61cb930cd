/**
 * Issue 13, through the whole twin (SMA emulator -> real SMA Lambda -> Step Functions twin -> S3 twin): the
 * SMA's rules and the faults that bend them, each ending in its named outcome with the evidence read back
 * from the emulator's invocation log, the manifest in S3 and the execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { runCalls, type CallResult } from '../../local/scenario/runner';
import type { ScenarioCall, ScenarioFaults } from '../../local/scenario/scenario-file';
import type { CallHandle, CallSpec, InvocationRecord, TestFaults } from '../../local/sma/types';
import { startTwin, type Twin } from '../../local/twin/twin';

interface Case {
  name: string;
  legs: 1 | 2;
  durationSeconds: number;
  faults: ScenarioFaults & TestFaults;
  controls?: ScenarioCall['controls'];
}
/** A pause and a resume: since issue 21 the start and the notice spend no update that could race; the controls do. */
const RACE_CONTROLS: Case['controls'] = [
  { atSeconds: 20, action: 'pause', requestedBy: 'agent-7' },
  { atSeconds: 35, action: 'resume', requestedBy: 'agent-7' },
];
const cases: Case[] = [
  {
    name: 'pause update throttled twice, 15-minute call',
    legs: 2,
    durationSeconds: 900,
    controls: [{ atSeconds: 20, action: 'pause', requestedBy: 'agent-7' }],
    faults: { updateCall: { ControlRecording: ['ThrottledClientException', 'ThrottledClientException'] } },
  },
  { name: 'StartCallRecording success 40 s late', legs: 2, durationSeconds: 60, faults: { startRecordingDelaySeconds: 40 } },
  { name: 'StartCallRecording success 40 s late, one leg', legs: 1, durationSeconds: 60, faults: { startRecordingDelaySeconds: 40 } },
  { name: 'recording refused with 403', legs: 2, durationSeconds: 60, faults: { verifyAccessDenied: true } },
  { name: 'every CALL_UPDATE_REQUESTED 2 s late', legs: 2, durationSeconds: 60, faults: { updateDelaySeconds: 2 } },
  {
    name: 'every StartRecording and NotifyConsent update refused once',
    legs: 2,
    durationSeconds: 60,
    faults: { updateCall: { StartRecording: ['ServiceUnavailableException'], NotifyConsent: ['ServiceFailureException'] } },
  },
  {
    name: 'racing responses, the earlier applied last (2 legs)',
    legs: 2,
    durationSeconds: 60,
    controls: RACE_CONTROLS,
    faults: { raceUpdates: true },
  },
  {
    name: 'racing responses, the earlier applied last (1 leg)',
    legs: 1,
    durationSeconds: 60,
    controls: RACE_CONTROLS,
    faults: { raceUpdates: true },
  },
  {
    name: 'StartRecording update throttled 5 times (issue 21)',
    legs: 2,
    durationSeconds: 120,
    faults: { updateCall: { StartRecording: Array(5).fill('ThrottledClientException') } },
  },
  {
    name: 'StartRecording update throttled twice, refused (503), throttled again',
    legs: 1,
    durationSeconds: 120,
    faults: {
      updateCall: {
        StartRecording: ['ThrottledClientException', 'ThrottledClientException', 'ServiceUnavailableException', 'ThrottledClientException'],
      },
    },
  },
];

let twin: Twin;
let dataDir: string;
const handles = new Map<string, CallHandle>();
const results = new Map<string, CallResult>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sma-rules-'));
  twin = await startTwin({ dataDir, seed: 13 });
  const place = twin.emulator.placeCall.bind(twin.emulator);
  twin.emulator.placeCall = (spec: CallSpec) => {
    const handle = place(spec);
    handles.set(handle.transactionId, handle);
    return handle;
  };
  const calls: ScenarioCall[] = cases.map((c) => ({
    name: c.name,
    track: 'BOTH',
    legs: c.legs,
    durationSeconds: c.durationSeconds,
    faults: c.faults as ScenarioFaults,
    ...(c.controls ? { controls: c.controls } : {}),
  }));
  for (const r of await runCalls(twin, calls)) results.set(r.name, r);
}, 120_000);

afterAll(async () => {
  await twin?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function manifestOf(r: CallResult): Promise<any> {
  const got = await twin.s3.send(new GetObjectCommand({ Bucket: twin.bucket, Key: r.manifestKey! }));
  return JSON.parse(await got.Body!.transformToString());
}
const handleOf = (name: string) => handles.get(results.get(name)!.executionName)!;
const actionData = (r: InvocationRecord) => (r.event as { ActionData?: { Type?: string } }).ActionData;
/** The StartCallRecording actions the emulator ran on the call: each reports one ACTION_SUCCESSFUL or ACTION_FAILED. */
const startResults = (h: CallHandle) =>
  h.log.filter(
    (r) =>
      r.attempt === 1 &&
      (r.eventType === 'ACTION_SUCCESSFUL' || r.eventType === 'ACTION_FAILED') &&
      actionData(r)?.Type === 'StartCallRecording',
  );
/** The StartCallRecording actions the Lambda returned. */
const startsAsked = (h: CallHandle) =>
  h.log
    .filter((r) => !r.ignored)
    .flatMap((r) => ((r.response as { Actions?: Array<{ Type: string }> })?.Actions ?? []).filter((a) => a.Type === 'StartCallRecording'));

async function expectRecordedWithNotice(name: string, legs: 1 | 2) {
  const r = results.get(name)!;
  expect(r.outcome).toBe('RECORDED');
  const manifest = await manifestOf(r);
  expect(manifest.consentNotice).toEqual(
    expect.objectContaining({ status: 'DELIVERED', legs: legs === 2 ? ['LEG-A', 'LEG-B'] : ['LEG-A'] }),
  );
  return manifest;
}

it('a pause update answered with two throttling errors on a 15-minute call: applied, RECORDED after the call ends', async () => {
  const name = cases[0]!.name;
  const manifest = await expectRecordedWithNotice(name, 2);
  const h = handleOf(name);
  expect(
    h.notes.filter((n) => n === 'UpdateSipMediaApplicationCall ControlRecording answered ThrottledClientException (fault)'),
  ).toHaveLength(2);
  expect(manifest.controls).toEqual([expect.objectContaining({ action: 'PAUSE', result: 'APPLIED' })]);
  // Verified after the hangup, not 435 s into a live call.
  const hangup = h.log.find((r) => r.eventType === 'HANGUP')!;
  expect(Date.parse(manifest.verification.checkedAt ?? manifest.writtenAt)).toBeGreaterThanOrEqual(hangup.virtualMs);
  expect(results.get(name)!.durationMs).toBeGreaterThanOrEqual(900_000);
});

it.each([
  [cases[1]!.name, 2],
  [cases[2]!.name, 1],
] as const)('%s: RECORDED, every attempt audited, no second StartCallRecording run on the leg', async (name, legs) => {
  const manifest = await expectRecordedWithNotice(name, legs);
  const h = handleOf(name);
  expect(manifest.startAttempts.map((a: any) => (a.result === 'STARTED' ? 'STARTED' : `${a.result}:${a.error}`))).toEqual([
    'FAILED:States.Timeout',
    'STARTED',
  ]);
  // The emulator ran StartCallRecording once on the leg: its late success answered the retry.
  const ran = startResults(h);
  expect(ran.map((r) => r.eventType)).toEqual(['ACTION_SUCCESSFUL']);
  expect(h.recordings).toHaveLength(1);
  expect(h.recordings[0]!.startedAtMs - h.log[0]!.virtualMs).toBeGreaterThanOrEqual(40_000);
  // The retry was answered with a NULL action set: a new list would replace the running StartCallRecording, whose
  // result would then never be reported (update-sip-call; the twin's default reading). Its late success answered it.
  expect(startsAsked(h)).toHaveLength(1);
});

it('a recording refused with 403: RECORDING_UNVERIFIED within a minute of the call end, not RECORDING_MISSING', async () => {
  const r = results.get(cases[3]!.name)!;
  expect(r.outcome).toBe('RECORDING_UNVERIFIED');
  const h = handleOf(cases[3]!.name);
  const described = await twin.sfn.send(
    new DescribeExecutionCommand({ executionArn: `${twin.stateMachineArn.replace(':stateMachine:', ':execution:')}:${r.executionName}` }),
  );
  const callEnd = h.log.find((x) => x.eventType === 'HANGUP')!.virtualMs;
  expect(described.stopDate!.getTime() - callEnd).toBeLessThan(60_000);
  const manifest = await manifestOf(r);
  expect(manifest.outcome).toBe('RECORDING_UNVERIFIED');
  expect(manifest.verification.accessProblem).toMatch(/S3 refused to read the recording \(HeadObject S3\.S3Exception\)/);
  expect(manifest.verification.cause).toMatch(/Status Code: 403/);
  // The recording itself landed (the SMA's write is not refused) and is left untagged.
  expect(h.recordings[0]!.status).toBe('delivered');
  const tags = await twin.s3.send(new GetObjectTaggingCommand({ Bucket: twin.bucket, Key: r.recordingKey! }));
  expect(tags.TagSet ?? []).toEqual([]);
});

it('every CALL_UPDATE_REQUESTED 2 s late: RECORDED with the notice DELIVERED', async () => {
  await expectRecordedWithNotice(cases[4]!.name, 2);
  // One update (the on-demand start); the notice follows it in the Lambda's answer, the call end is in the mailbox.
  expect(handleOf(cases[4]!.name).log.filter((r) => r.eventType === 'CALL_UPDATE_REQUESTED')).toHaveLength(1);
});

it('StartRecording and NotifyConsent updates refused once each (503, 500): retried, RECORDED with the notice DELIVERED', async () => {
  const manifest = await expectRecordedWithNotice(cases[5]!.name, 2);
  expect(manifest.startAttempts.map((a: any) => (a.result === 'STARTED' ? 'STARTED' : `${a.result}:${a.error}`))).toEqual([
    'FAILED:ChimeSdkVoice.ServiceUnavailableException',
    'STARTED',
  ]);
});

it.each([
  [cases[6]!.name, 2],
  [cases[7]!.name, 1],
] as const)('%s: no parked token and no queued notice lost', async (name, legs) => {
  const manifest = await expectRecordedWithNotice(name, legs);
  const h = handleOf(name);
  expect(h.notes.some((n) => n.startsWith('race: '))).toBe(true);
  expect(manifest.startAttempts.map((a: any) => a.result)).toEqual(['STARTED']);
  // The notice on the first attempt, to every leg: no token waited out its timeout.
  expect(manifest.consentNotice.attempts).toBe(1);
  // Every leg heard it: the notice is one list (a Speak per leg), run to its end, reported once.
  const spokenTo = (await h.ended).actions.filter((a) => a.type === 'Speak' && a.status === 'ok').map((a) => a.leg);
  expect(spokenTo.sort()).toEqual(
    h
      .participants()
      .map((p) => p.ParticipantTag)
      .sort(),
  );
  // The spent tokens were dropped by the next steps' answers, but for the last control's (its answer wrote no map:
  // afterCallback), which HANGUP's callback finds stale; the call end's token is in the mailbox, not the map.
  const hangupAttributes =
    (h.log.find((r) => r.eventType === 'HANGUP')!.event as { CallDetails: { TransactionAttributes?: Record<string, string> } }).CallDetails
      .TransactionAttributes ?? {};
  expect(Object.keys(hangupAttributes).filter((k) => /Token$/.test(k))).toEqual(['rw:controlToken']);
  expect(manifest.controls.map((c: any) => [c.action, c.result])).toEqual([
    ['PAUSE', 'APPLIED'],
    ['RESUME', 'APPLIED'],
  ]);
  // The call end was followed, not timed out: verification came right after the hangup.
  expect(results.get(name)!.durationMs).toBeLessThan(120_000);
});

it('a throttled StartRecording update is not a failed attempt: one attempt, throttled 5, RECORDED', async () => {
  const name = cases[8]!.name;
  const manifest = await expectRecordedWithNotice(name, 2);
  const h = handleOf(name);
  expect(h.notes.filter((n) => /StartRecording answered ThrottledClientException/.test(n))).toHaveLength(5);
  expect(manifest.startAttempts).toEqual([expect.objectContaining({ attempt: 1, result: 'STARTED', throttled: 5 })]);
  expect(results.get(name)!.startAttempts).toBe(1);
  // The throttled requests never reached the Lambda: one CALL_UPDATE_REQUESTED for the start.
  expect(startsAsked(h)).toHaveLength(1);
});

it('throttles and a 503 in one start: the 503 is the failed attempt, each attempt counts its own throttles', async () => {
  const manifest = await expectRecordedWithNotice(cases[9]!.name, 1);
  expect(manifest.startAttempts.map((a: any) => [a.result, a.error ?? null, a.throttled])).toEqual([
    ['FAILED', 'ChimeSdkVoice.ServiceUnavailableException', 2],
    ['STARTED', null, 1],
  ]);
});
