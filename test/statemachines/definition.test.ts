/** The definition file itself: valid ASL, every setting filled, names that the Lambda and operations rely on. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_OUTCOMES,
  DEFAULT_SETTINGS,
  FAILED_OUTCOMES,
  SUCCEEDED_OUTCOMES,
  loadDefinitionTemplate,
  renderDefinition,
  throttleMaxRetries,
  verifyDeadlineSeconds,
} from '../../statemachines/definition';
import { Arg, Command } from '../../lambdas/shared/workflow-contract';

const def = renderDefinition() as any;
const states: Record<string, any> = def.States;

it('passes asl-validator once rendered', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'asl-')), 'rendered.asl.json');
  writeFileSync(file, JSON.stringify(def));
  const out = execFileSync(process.execPath, [require.resolve('asl-validator/dist/bin/asl-validator.js'), '--json-path', file], {
    encoding: 'utf8',
  });
  expect(out).toMatch(/is valid/);
});

it('fills every placeholder with a typed setting, and refuses an unknown one', () => {
  expect(JSON.stringify(def)).not.toMatch(/\$\{[A-Za-z]+\}/);
  expect(states.VerifyRecording.Retry[0].MaxAttempts).toBe(DEFAULT_SETTINGS.VerifyMaxRetries);
  expect(states.StartRecording.TimeoutSeconds).toBe(DEFAULT_SETTINGS.StartAttemptTimeoutSeconds);
  expect(def.TimeoutSeconds).toBe(DEFAULT_SETTINGS.ExecutionTimeoutSeconds);
  expect(() => renderDefinition({}, { Comment: '${NoSuchSetting}' })).toThrow(/NoSuchSetting/);
  expect(() => renderDefinition({ StartMaxAttempts: Number.NaN })).toThrow(/StartMaxAttempts: must be a finite number/);
  expect(() => renderDefinition({ VerifyIntervalSeconds: 2.5 })).toThrow(/VerifyIntervalSeconds: must be an integer >= 1/);
  expect(() => renderDefinition({ StartMaxAttempts: 0 })).toThrow(/StartMaxAttempts: must be an integer >= 1/);
  expect(() => renderDefinition({ StartBackoffRate: 0.5 })).toThrow(/StartBackoffRate: must be at least 1.0/);
  expect(() => renderDefinition({ DefaultConsentText: '' })).toThrow(/DefaultConsentText/);
  expect(() => renderDefinition({ VerifyMaxRetries: 0, StartBackoffRate: 1.5, DurationToleranceSeconds: 2.5 })).not.toThrow();
});

it('escapes a consent text setting so it stays a JSONata string literal', () => {
  const d = renderDefinition({ DefaultConsentText: "It's recorded" }) as any;
  expect(d.States.ValidateInput.Assign.call).toContain("It\\'s recorded");
});

it('sends exactly the commands and argument names of the Lambda contract', () => {
  const commands = Object.values(states)
    .filter((s) => s.Resource?.includes('updateSipMediaApplicationCall'))
    .map((s) => s.Arguments.Arguments)
    // A map built by JSONata (NotifyConsent adds the opt-out keys when there is one): its literal keys are read.
    .map((a) => (typeof a === 'string' ? Object.fromEntries([...a.matchAll(/'(\w+)': ([^,}\]]+)/g)].map((m) => [m[1], m[2]])) : a));
  // StopRecording and ConfirmStop send the same command as ControlRecording (action STOP). WaitForCallEnd is a
  // mailbox slot since issue 21, not an update (test/statemachines/mailbox-paths.test.ts).
  expect([...new Set(commands.map((a) => String(a.command).replace(/'/g, '')))].sort()).toEqual(
    Object.values(Command)
      .filter((c) => c !== Command.WaitForCallEnd)
      .sort(),
  );
  const argNames = new Set(Object.values(Arg));
  for (const a of commands) for (const k of Object.keys(a)) expect(argNames).toContain(k);
  for (const a of commands) expect(String(a.taskToken).replace(/^\{% | %\}$/g, '')).toBe('$states.context.Task.Token');
});

it('bounds every callback task with TimeoutSeconds and the execution as a whole', () => {
  for (const [name, s] of Object.entries(states))
    if (s.Resource?.endsWith('.waitForTaskToken')) expect([name, typeof s.TimeoutSeconds]).toEqual([name, 'number']);
  // A Retry block's throttling retries at their longest (every jittered wait at its cap).
  let throttleRetries = 0;
  for (let i = 0; i < throttleMaxRetries(DEFAULT_SETTINGS); i++)
    throttleRetries += Math.min(DEFAULT_SETTINGS.ThrottleMaxDelaySeconds, DEFAULT_SETTINGS.ThrottleIntervalSeconds * 2 ** i);
  const worst =
    DEFAULT_SETTINGS.StartMaxAttempts * (DEFAULT_SETTINGS.StartAttemptTimeoutSeconds + DEFAULT_SETTINGS.StartMaxDelaySeconds) +
    // the start's throttling: one window per call, and the last jittered wait
    DEFAULT_SETTINGS.ThrottleWindowSeconds +
    DEFAULT_SETTINGS.ThrottleMaxDelaySeconds +
    (DEFAULT_SETTINGS.ConsentMaxRetries + 1) * DEFAULT_SETTINGS.ConsentTimeoutSeconds +
    throttleRetries +
    DEFAULT_SETTINGS.CallEndTimeoutSeconds +
    verifyDeadlineSeconds(DEFAULT_SETTINGS) * 2 +
    // a declined caller's recording looked for after the deadline
    DEFAULT_SETTINGS.LateOptedOutChecks * DEFAULT_SETTINGS.LateOptedOutCheckSeconds;
  expect(DEFAULT_SETTINGS.ExecutionTimeoutSeconds).toBeGreaterThan(worst);
});

it('ends every path in a named terminal state, and every state is reachable', () => {
  const terminals = Object.entries(states)
    .filter(([, s]) => s.Type === 'Succeed' || s.Type === 'Fail')
    .map(([n]) => n)
    .sort();
  expect(terminals).toEqual([...ALL_OUTCOMES].sort());
  // The one list of outcomes (statemachines/outcomes.ts) says which end SUCCEEDED and which FAILED with their name.
  for (const o of SUCCEEDED_OUTCOMES) expect(states[o].Type).toBe('Succeed');
  for (const o of FAILED_OUTCOMES) expect([states[o].Type, (states[o] as { Error?: string }).Error]).toEqual(['Fail', o]);
  expect([...SUCCEEDED_OUTCOMES, ...FAILED_OUTCOMES].sort()).toEqual([...ALL_OUTCOMES].sort());
  const reachable = new Set<string>();
  const visit = (n: string) => {
    if (reachable.has(n)) return;
    reachable.add(n);
    const s = states[n];
    [s.Next, s.Default, ...(s.Choices ?? []).map((c: any) => c.Next), ...(s.Catch ?? []).map((c: any) => c.Next)]
      .filter(Boolean)
      .forEach(visit);
  };
  visit(def.StartAt);
  expect([...reachable].sort()).toEqual(Object.keys(states).sort());
});

it('keeps the template valid JSON with placeholders (the file users edit)', () => {
  expect(JSON.stringify(loadDefinitionTemplate())).toMatch(/"\$\{StartMaxAttempts\}"/);
});

describe('retention by outcome and the caller index (issue 24)', () => {
  const { renderDefinition: render } = require('../../statemachines/definition') as typeof import('../../statemachines/definition');
  const states = (d: Record<string, unknown>) => Object.keys(d.States as object);

  it('are left out unless configured, so a workflow without them pays no transition', () => {
    const plain = render();
    for (const s of ['PlanRetention', 'RetainRecording', 'IndexCaller', 'HashCaller', 'WriteCallerIndex'])
      expect(states(plain)).not.toContain(s);
    const marked = (plain.States as Record<string, { Next?: string }>).MarkComplete;
    expect(marked.Next).toBe('WriteAuditManifest');
    const configured = render({
      Retention: { RECORDED: { days: 10, mode: 'GOVERNANCE' } },
      CallerIndexFunction: 'fn',
      CallerIndexLocation: 'bucket-a/caller-index',
    });
    expect(states(configured)).toEqual(
      expect.arrayContaining(['PlanRetention', 'RetainRecording', 'IndexCaller', 'HashCaller', 'WriteCallerIndex']),
    );
    expect((configured.States as Record<string, { Next?: string }>).MarkComplete.Next).toBe('PlanRetention');
  });

  it('refuses bad retention and index settings, naming each', () => {
    expect(() => render({ Retention: { RECORDED: { days: 0, mode: 'GOVERNANCE' } } })).toThrow('Retention.RECORDED.days');
    expect(() => render({ Retention: { RECORDED: { days: 5, mode: 'FOREVER' as never } } })).toThrow('Retention.RECORDED.mode');
    expect(() => render({ RetentionMethod: 'TAGS' as never })).toThrow('RetentionMethod: must be OBJECT_LOCK or LIFECYCLE_TAG');
    expect(() => render({ CallerIndexLocation: 'no-prefix' })).toThrow('CallerIndexLocation');
  });
});
