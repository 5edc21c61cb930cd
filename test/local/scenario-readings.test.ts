/** The scenario format's `smaReadings` (top level and per call): parsed, merged, refused naming the field. */
import { parseScenario } from '../../local/scenario/scenario-file';
import { DEFAULT_READINGS, resolveReadings } from '../../local/sma/readings';

describe('scenario smaReadings', () => {
  it('takes the file-wide readings, each call overriding them with its own; none when neither names any', () => {
    const calls = parseScenario({
      smaReadings: { replacedAction: 'reported', receiveDigits: 'staysArmed' },
      calls: [{ name: 'a' }, { name: 'b', smaReadings: { receiveDigits: 'oneShot', repeatedStop: 'noEffect' } }],
    });
    expect(calls[0]!.smaReadings).toEqual({ replacedAction: 'reported', receiveDigits: 'staysArmed' });
    expect(calls[1]!.smaReadings).toEqual({ replacedAction: 'reported', receiveDigits: 'oneShot', repeatedStop: 'noEffect' });
    expect(parseScenario({ calls: [{ name: 'c' }] })[0]).not.toHaveProperty('smaReadings');
  });

  it('resolves over the defaults, the worse reading for a Lambda', () => {
    expect(DEFAULT_READINGS).toEqual({
      replacedAction: 'silent',
      omittedActions: 'empty',
      emptyActions: 'replace',
      receiveDigits: 'oneShot',
      repeatedStop: 'failed',
    });
    expect(resolveReadings({ emptyActions: 'keep' }, { omittedActions: 'keep' })).toEqual({
      ...DEFAULT_READINGS,
      emptyActions: 'keep',
      omittedActions: 'keep',
    });
  });

  it.each([
    [{ smaReadings: 'all' }, 'smaReadings: must be an object'],
    [{ smaReadings: { nullActions: 'keep' } }, 'smaReadings.nullActions: unknown reading (allowed: replacedAction, omittedActions'],
    [{ smaReadings: { emptyActions: 'interrupt' } }, 'smaReadings.emptyActions: must be one of replace, keep, got "interrupt"'],
  ])('refuses %j', (extra, message) => {
    expect(() => parseScenario({ calls: [{ name: 'c' }], ...extra })).toThrow(message);
    expect(() => parseScenario({ calls: [{ name: 'c', ...extra }] })).toThrow(`calls[0].${message}`);
  });
});
