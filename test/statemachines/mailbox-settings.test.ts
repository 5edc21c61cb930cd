/**
 * The hand-off mailbox settings (issue 21): MailboxBucket and MailboxPrefix, their defaults (the twin's), their
 * checks, and a definition that does not use them yet still renders.
 */
import { Token } from 'aws-cdk-lib';
import { DEFAULT_SETTINGS, renderDefinition, settingsProblems } from '../../statemachines/definition';

it('defaults name the twin’s mailbox', () => {
  expect(DEFAULT_SETTINGS.MailboxBucket).toBe('call-recording-mailbox-local');
  expect(DEFAULT_SETTINGS.MailboxPrefix).toBe('mailbox');
  expect(settingsProblems({ MailboxBucket: DEFAULT_SETTINGS.MailboxBucket, MailboxPrefix: DEFAULT_SETTINGS.MailboxPrefix })).toEqual([]);
});

describe('MailboxBucket', () => {
  test.each([['my-mailbox'], ['a.b-c.123'], ['abc'], ['x'.repeat(63)]])('accepts %#', (name) => {
    expect(settingsProblems({ MailboxBucket: name })).toEqual([]);
  });

  test('accepts a CDK token (the construct’s bucket name, resolved at deploy time)', () => {
    const token = Token.asString({ Ref: 'MailboxBucket' });
    expect(token).toMatch(/^\$\{Token\[/);
    expect(settingsProblems({ MailboxBucket: token })).toEqual([]);
  });

  test.each([
    ['ab', /3-63 characters/],
    ['x'.repeat(64), /3-63 characters/],
    ['My-Mailbox', /lowercase letters/],
    ['mailbox-', /begin and end with a letter or digit/],
    ['a..b', /two adjacent periods/],
    ['192.168.1.1', /IP address/],
    ['xn--mailbox', /must not start with xn--/],
    ['mailbox-s3alias', /reserved suffix/],
    ['${Token[x]} and more', /lowercase letters/],
    ['${NotAToken}', /lowercase letters/],
  ])('refuses bucket name %#', (name, reason) => {
    const problems = settingsProblems({ MailboxBucket: name });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^MailboxBucket: /);
    expect(problems[0]).toMatch(reason);
  });

  test('refuses a non-string', () => {
    expect(settingsProblems({ MailboxBucket: 42 as never })).toEqual(['MailboxBucket: must be a string, got 42']);
  });
});

describe('MailboxPrefix', () => {
  test.each([['mailbox'], ['handoff/tokens'], ["a-b_c.d!*'()"]])('accepts %s', (prefix) => {
    expect(settingsProblems({ MailboxPrefix: prefix })).toEqual([]);
  });

  test.each([
    ['', /must not be empty/],
    ['/mailbox', /must not start with "\/"/],
    ['mailbox/', /must not end with "\/"/],
    ['a//b', /empty, "\." or "\.\." path segments/],
    ['a/../b', /empty, "\." or "\.\." path segments/],
    ['a b', /S3 safe characters/],
    ['ä', /S3 safe characters/],
    ['x'.repeat(1100), /at most/],
  ])('refuses prefix %#', (prefix, reason) => {
    const problems = settingsProblems({ MailboxPrefix: prefix });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^MailboxPrefix: /);
    expect(problems[0]).toMatch(reason);
  });

  test('refuses a non-string', () => {
    expect(settingsProblems({ MailboxPrefix: null as never })).toEqual(['MailboxPrefix: must be a string, got null']);
  });
});

describe('rendering', () => {
  test('a definition that does not use the mailbox settings renders with them set (unused settings are ignored)', () => {
    const settings = { MailboxBucket: 'my-mailbox', MailboxPrefix: 'handoff' };
    expect(() => renderDefinition(settings)).not.toThrow();
    expect(renderDefinition(settings, { Comment: 'no mailbox here', StartAt: 'A' })).toEqual({ Comment: 'no mailbox here', StartAt: 'A' });
  });

  test('a definition that uses them gets the values, whole or inside a JSONata string', () => {
    const template = {
      Bucket: '${MailboxBucket}',
      Key: "{% '${MailboxPrefix}/' & $states.context.Execution.Name & '/WaitForCallEnd.json' %}",
    };
    expect(renderDefinition({}, template)).toEqual({
      Bucket: 'call-recording-mailbox-local',
      Key: "{% 'mailbox/' & $states.context.Execution.Name & '/WaitForCallEnd.json' %}",
    });
    const token = Token.asString({ Ref: 'MailboxBucket' });
    expect(renderDefinition({ MailboxBucket: token, MailboxPrefix: 'handoff/tokens' }, template)).toEqual({
      Bucket: token,
      Key: "{% 'handoff/tokens/' & $states.context.Execution.Name & '/WaitForCallEnd.json' %}",
    });
  });

  test('a bad mailbox setting stops the rendering, naming it', () => {
    expect(() => renderDefinition({ MailboxPrefix: '/abs' })).toThrow(
      /invalid workflow settings: MailboxPrefix: key prefix must not start with "\/"/,
    );
    expect(() => renderDefinition({ MailboxBucket: 'UPPER' })).toThrow(/invalid workflow settings: MailboxBucket: /);
  });
});
