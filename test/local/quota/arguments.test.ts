/**
 * The load and quota options of `npm run simulate` and `npm start`: strict, exit 2, the message naming the bad part,
 * before anything is started (no data folder made). And the load campaign's calls: a function of (seed, index).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as simulateMain } from '../../../scripts/simulate';
import { main as startMain } from '../../../local/start';
import { loadCall, parseArrivals, type LoadOptions } from '../../../local/simulation/load';
import { parseScenario } from '../../../local/scenario/scenario-file';

const tmp = mkdtempSync(join(tmpdir(), 'quota-args-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(main: typeof simulateMain, args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main([...args, '--data-dir', join(tmp, 'never')], {
    stdout: { write: () => true },
    stderr: { write: (s: string) => err.push(s) },
  });
  return { code, err: err.join('') };
}

describe('npm run simulate: load options', () => {
  it.each([
    [['--quota', 'update=5,activeCalls=two'], /--quota: "activeCalls=two": activeCalls must be an integer/],
    [['--quota', 'update=5,speed=3'], /--quota: "speed=3": unknown quota/],
    [['--quota', 'startExecution=1300'], /--quota: "startExecution=1300": must be BUCKET\/REFILL/],
    [['--arrivals', 'rate:5/s'], /--arrivals rate:5\/s: needs --minutes M/],
    [['--arrivals', 'rate:5'], /--arrivals must be rate:R\/s \(with --minutes\) or burst:N\/Ss/],
    [['--arrivals', 'burst:1000'], /--arrivals must be rate:R\/s \(with --minutes\) or burst:N\/Ss/],
    [['--arrivals', 'burst:0/60s'], /--arrivals burst:0\/60s: N must be 1 to/],
    [['--arrivals', 'burst:10/60s', '--minutes', '3'], /--minutes is for --arrivals rate:R\/s/],
    [['--arrivals', 'burst:10/60s', '--faults', 'none', '--call-seconds', '600-60'], /--call-seconds must be MIN-MAX/],
    [['--arrivals', 'burst:10/60s', '--call-seconds', '60-600'], /--call-seconds is for --faults none/],
    [['--arrivals', 'burst:10/60s', '--on-demand', '1.5'], /--on-demand must be a number from 0 to 1, got "1.5"/],
    [['--arrivals', 'burst:10/60s', '--faults', 'some'], /--faults must be none or mix/],
    [['--arrivals', 'burst:10/60s', '--calls', '10'], /--calls and --arrivals/],
    [['--minutes', '3'], /--minutes is for a load campaign \(--arrivals\)/],
    [['--on-demand', '0.3'], /--on-demand is for a load campaign/],
    [['--arrivals', 'rate:5/s', '--minutes', '0'], /--minutes must be a positive number/],
  ])('%j exits 2: %s', async (args, message) => {
    const r = await run(simulateMain, args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('rate:R/s for M minutes is R x 60 x M calls; a burst says its own', () => {
    expect(parseArrivals('rate:5/s', 30)).toEqual({ spec: 'rate:5/s', calls: 9000, windowSeconds: 1800 });
    expect(parseArrivals('burst:1000/60s', undefined)).toEqual({ spec: 'burst:1000/60s', calls: 1000, windowSeconds: 60 });
  });
});

describe('npm start: --quota and the scenario\'s "quota"', () => {
  it('a bad --quota exits 2 naming the part', async () => {
    const r = await run(startMain, ['--quota', 'update=5/']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--quota: "update=5\/": the refill per second must be a positive number/);
  });

  it('a bad scenario quota exits 2 naming the field and the part', async () => {
    const file = join(tmp, 'bad-quota.json');
    writeFileSync(file, JSON.stringify({ quota: { update: 5, sendTask: 3000 }, calls: [{ name: 'c' }] }));
    const r = await run(startMain, ['--scenario', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad scenario: quota: "sendTask=3000": must be BUCKET\/REFILL/);
  });

  it("a call's record: policy or demand at N s, checked like every field", () => {
    const one = (record: unknown, extra: Record<string, unknown> = {}) =>
      parseScenario({ calls: [{ name: 'c', durationSeconds: 60, record, ...extra }] })[0]!;
    expect(one({ by: 'policy' }).record).toEqual({ by: 'policy' });
    expect(one({ by: 'demand', atSeconds: 6 }).record).toEqual({ by: 'demand', atSeconds: 6 });
    expect(one({ by: 'demand' }).record).toEqual({ by: 'demand', atSeconds: 0 });
    expect(one(undefined).record).toBeUndefined();
    expect(() => one({ by: 'demand', atSeconds: 61 })).toThrow(/calls\[0\]\.record\.atSeconds: must be a number in \[0, 60\]/);
    expect(() => one({ by: 'schedule' })).toThrow(/calls\[0\]\.record\.by: must be "policy" or "demand"/);
    expect(() => one({ by: 'policy', atSeconds: 1 })).toThrow(/calls\[0\]\.record\.atSeconds: unknown field/);
    expect(() => one({ by: 'policy' }, { track: 'INCOMING' })).toThrow(/calls\[0\]\.track: not with record "policy"/);
    expect(() => one({ by: 'policy' }, { app: 'ivr' })).toThrow(/calls\[0\]\.record\.by: "policy" is for the bridge application/);
  });
});

describe('loadCall', () => {
  const load: LoadOptions = {
    arrivals: parseArrivals('burst:1000/60s', undefined),
    callSeconds: [60, 600],
    onDemand: 0.3,
    faults: 'none',
  };

  it('is a function of (seed, index): the same call whatever the campaign runs around it', () => {
    expect(loadCall(7, 123, 435, load)).toEqual(loadCall(7, 123, 435, load));
    expect(loadCall(7, 123, 435, load)).not.toEqual(loadCall(8, 123, 435, load));
  });

  it('draws arrivals within the window, lengths within the range, about the asked share on demand', () => {
    const calls = Array.from({ length: 1000 }, (_, i) => loadCall(2026, i, 435, load));
    expect(Math.max(...calls.map((c) => c.arrivalMs))).toBeLessThan(60_000);
    expect(calls.every((c) => c.durationSeconds >= 60 && c.durationSeconds <= 600)).toBe(true);
    const demand = calls.filter((c) => c.record.by === 'demand');
    expect(demand.length).toBeGreaterThan(250);
    expect(demand.length).toBeLessThan(350);
    expect(demand.every((c) => c.record.by === 'demand' && c.record.atSeconds >= 3 && c.record.atSeconds <= 10)).toBe(true);
    expect(calls.every((c) => c.expect.outcome === 'RECORDED' && Object.keys(c.faults).length === 0)).toBe(true);
  });

  it('with the fault mix, a policy call takes the policy’s settings and its expectation follows', () => {
    const mix = { ...load, faults: 'mix' as const, onDemand: 0 };
    const calls = Array.from({ length: 300 }, (_, i) => loadCall(2026, i, 435, mix));
    expect(calls.every((c) => c.location === undefined && c.track === 'BOTH' && c.optOutDigit === undefined)).toBe(true);
    expect(calls.some((c) => c.expect.outcome !== 'RECORDED')).toBe(true);
    expect(calls.some((c) => c.expect.outcome === 'INVALID_INPUT')).toBe(false);
  });
});
