/** lambdas/shared/mask.ts and execution-name.ts. */
import { executionNameFor } from '../../lambdas/shared/execution-name';
import { maskPhoneNumber } from '../../lambdas/shared/mask';

describe('maskPhoneNumber', () => {
  it.each([
    ['+12065551212', '+1********12'],
    ['+442071838750', '+4*********50'],
    ['2065551212', '********12'],
    ['(206) 555-1212', '(********12'],
    ['+1 206-555-1212', '+1********12'],
  ])('%s -> %s (first digit of an international number and the last two kept)', (raw, masked) => {
    expect(maskPhoneNumber(raw)).toBe(masked);
  });

  it('masks every number inside a text and leaves the rest alone', () => {
    expect(maskPhoneNumber('call from +15105550101 to +12065551212 failed')).toBe('call from +1********01 to +1********12 failed');
  });

  it('keeps the digit count (length) but never more than three of the digits', () => {
    const masked = maskPhoneNumber('+17035550122');
    expect(masked).toHaveLength('+17035550122'.length);
    expect(masked.replace(/\D/g, '')).toBe('122');
  });

  it.each(['SIP 486', 'Sequence 3', 'LEG-A', '72cbec69-f098-45d8-9ad6-e26cb9af663a', 'no digits at all', ''])(
    'leaves %j unchanged',
    (text) => {
      expect(maskPhoneNumber(text)).toBe(text);
    },
  );

  it('is idempotent', () => {
    const once = maskPhoneNumber('+15105550101 / 2065551212');
    expect(maskPhoneNumber(once)).toBe(once);
  });
});

describe('executionNameFor', () => {
  it('a UUID TransactionId is the name as it is', () => {
    expect(executionNameFor('1322a4e7-c106-4e70-aaaf-a8fa4c77c0cb')).toBe('1322a4e7-c106-4e70-aaaf-a8fa4c77c0cb');
  });

  it('the same TransactionId always gives the same name (idempotent starts)', () => {
    expect(executionNameFor('tx:1/2')).toBe(executionNameFor('tx:1/2'));
  });

  it.each([
    ['tx:1322a4e7/c106 4e70', 'tx-1322a4e7-c106-4e70'],
    ['a.b_c-d', 'a-b_c-d'],
    ['réception', 'r-ception'],
    ['<script>', '-script-'],
  ])('sanitises %j -> %j', (id, name) => {
    expect(executionNameFor(id)).toBe(name);
  });

  it('cuts to 80 characters', () => {
    const name = executionNameFor('a'.repeat(200));
    expect(name).toBe('a'.repeat(80));
  });

  it.each(['x', 'a'.repeat(80), 'a'.repeat(81), '🎉 emoji', ' ', '\n\t', 'ñ'.repeat(100)])(
    '%j gives 1-80 characters of [0-9A-Za-z_-]',
    (id) => {
      expect(executionNameFor(id)).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    },
  );

  it('an empty TransactionId cannot name an execution', () => {
    expect(() => executionNameFor('')).toThrow('transactionId is empty');
  });
});
