/**
 * Issue 21 on the workflow's side (harness.ts plays the Lambda): a policy-recorded call whose start and notice the
 * call flow ran spends no UpdateSipMediaApplicationCall; each task takes its outcome through the hand-off mailbox,
 * whether the Lambda reports after the workflow waits or before (412, the outcome read from the slot). The attempts
 * and the notice stay audited, and a transient failure falls back to an update.
 */
import { MAILBOX_SLOTS, slotKey } from '../../lambdas/shared/mailbox-contract';
import { DEFAULT_SETTINGS, renderDefinition } from '../../statemachines/definition';
import { INPUT, RECORDING_LOCATION, runWorkflow, summaryOf } from './harness';

const POLICY = { ...INPUT, consentText: 'Recorded for training.', startedBy: 'call-flow' };
const FOLLOWS = { ok: { noticeFollows: true } };
const updates = (run: Awaited<ReturnType<typeof runWorkflow>>) =>
  run.requests.filter((r) => r.service === 'chimesdkvoice').map((r) => (r.args as any).Arguments.command);

describe('a policy-recorded call (startedBy call-flow)', () => {
  it('RECORDED with no update at all: start, notice and call end each through their slot', async () => {
    const run = await runWorkflow({ start: [FOLLOWS] }, POLICY);
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(updates(run)).toEqual([]);
    expect(run.mailbox.map((w) => w.slot)).toEqual(['StartRecording', 'NotifyConsent', 'WaitForCallEnd']);
    // the start's slot carries the notice the Lambda plays right after it
    expect(run.mailbox[0].body).toEqual({ taskToken: expect.any(String), notice: { text: 'Recorded for training.' } });
    expect(out.startAttempts).toEqual([expect.objectContaining({ attempt: 1, result: 'STARTED', via: 'call-flow' })]);
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', via: 'call-flow', attempts: 1 }));
    expect(run.statesEntered.slice(0, 6)).toEqual([
      'ValidateInput',
      'CheckInput',
      'AwaitRecordingStart',
      'NoticeFollows',
      'AwaitConsentNotice',
      'CallerDeclined',
    ]);
    expect(run.info.stateTransitions).toBe(14); // the update path's 14: AwaitRecordingStart and AwaitConsentNotice replace StartRecording and NotifyConsent
  });

  it('the start and the notice reported before the workflow waited: both read from their slots (412), still RECORDED', async () => {
    const run = await runWorkflow(
      {
        mailed: {
          StartRecording: {
            outcome: { location: RECORDING_LOCATION, callId: 'call-a', track: 'BOTH', legStartMs: 1, legs: [], noticeFollows: true },
          },
          NotifyConsent: { outcome: { legs: ['LEG-A', 'LEG-B'] } },
        },
      },
      POLICY,
    );
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(updates(run)).toEqual([]);
    expect(run.statesEntered).toEqual(
      expect.arrayContaining(['StartOutcomeMailed', 'TakeMailedStartOutcome', 'RecordingStartedBeforeWorkflow', 'NoticeHeardBeforeWait']),
    );
    expect(out.startAttempts).toEqual([expect.objectContaining({ result: 'STARTED', via: 'call-flow', mailed: true })]);
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', legs: ['LEG-A', 'LEG-B'], mailed: true }));
  });

  it('a SystemException left in the slot is an audited attempt; the retry goes by update and records', async () => {
    const run = await runWorkflow({ mailed: { StartRecording: { error: 'SystemException', cause: 'boom' } } }, POLICY);
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(out.startAttempts.map((a: any) => [a.attempt, a.result, a.error ?? null, a.via])).toEqual([
      [1, 'FAILED', 'SystemException', 'call-flow'],
      [2, 'STARTED', null, 'update'],
    ]);
    expect(updates(run)).toEqual(['StartRecording', 'NotifyConsent']);
  });

  it('a call that ended before the start: NOT_RECORDED, the attempt audited CALL_ENDED', async () => {
    const run = await runWorkflow({ mailed: { StartRecording: { error: 'CallEnded', cause: 'the call ended' } } }, POLICY);
    expect(summaryOf(run.info).outcome).toBe('NOT_RECORDED');
    expect(summaryOf(run.info).startAttempts).toEqual([expect.objectContaining({ result: 'CALL_ENDED', mailed: true })]);
  });

  it('a notice the call flow could not deliver (SystemException) is asked again by update, counted as the second attempt', async () => {
    const run = await runWorkflow({ start: [FOLLOWS], consent: [{ error: 'SystemException' }, 'ok'] }, POLICY);
    const out = summaryOf(run.info);
    expect(out.outcome).toBe('RECORDED');
    expect(updates(run)).toEqual(['NotifyConsent']);
    expect(out.consentNotice).toEqual(expect.objectContaining({ status: 'DELIVERED', attempts: 2 }));
  });

  it("an on-demand start (no startedBy) spends one update: the notice follows in the Lambda's answer", async () => {
    const run = await runWorkflow({ start: [FOLLOWS] });
    expect(summaryOf(run.info).outcome).toBe('RECORDED');
    expect(updates(run)).toEqual(['StartRecording']);
  });

  it('refuses an unknown startedBy as INVALID_INPUT, naming the field', async () => {
    const run = await runWorkflow({}, { ...INPUT, startedBy: 'lambda' });
    expect(run.info.error).toBe('INVALID_INPUT');
    expect(run.info.cause).toContain('startedBy: must be call-flow (or absent)');
  });
});

describe('the mailbox contract: the ASL and the Lambda name the same slots', () => {
  it('every mailbox task writes one of MAILBOX_SLOTS under MailboxPrefix, conditionally, in MailboxBucket', () => {
    const def = renderDefinition({ MailboxBucket: 'mbx', MailboxPrefix: 'p/q' }) as any;
    const writes = Object.entries(def.States as Record<string, any>).filter(([, s]) =>
      s.Resource?.endsWith('s3:putObject.waitForTaskToken'),
    );
    const slots = writes.map(([, s]) => /\/(\w+)\.json' %\}$/.exec(s.Arguments.Key)?.[1]).sort();
    expect(slots).toEqual([...MAILBOX_SLOTS].sort());
    for (const [name, s] of writes) {
      expect([name, s.Arguments.Bucket, s.Arguments.IfNoneMatch]).toEqual([name, 'mbx', '*']);
      expect(s.Arguments.Key).toContain("'p/q/' & $call.transactionId & '/");
    }
    expect(slotKey({ bucket: 'mbx', prefix: 'p/q' }, 'tx-1', 'WaitForCallEnd')).toBe('p/q/tx-1/WaitForCallEnd.json');
    expect(DEFAULT_SETTINGS.MailboxPrefix).toBe('mailbox');
  });
});
