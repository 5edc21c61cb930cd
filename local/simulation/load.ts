/**
 * Load campaigns (issue 21): calls arriving in virtual time, drawn from the seed, against one account's quotas.
 *   --arrivals rate:5/s --minutes 30   5 calls a second for 30 minutes: 9,000 calls, each answered at a moment
 *                                      drawn uniformly over the 30 minutes (a Poisson process given its count)
 *   --arrivals burst:1000/60s          1,000 calls answered within 60 s, each at a moment drawn uniformly
 *   --call-seconds 60-600              each call's length, drawn uniformly (whole seconds)
 *   --on-demand 0.3                    the share of calls whose recording an operator starts (StartExecution 3-10 s
 *                                      after answer, drawn); the others are recorded by policy (AUTO_RECORD at answer)
 *   --faults none                      no faults (mix: the fault campaign's draw for each call, calls.ts)
 * Call i of seed S is the same call in any campaign of the same load options, whatever the shard it runs on.
 */
import { InvalidArgumentError } from 'commander';
import { SeededRandom } from '../random';
import type { RecordMode } from '../scenario/record-mode';
import { expectedOf, simulatedCall, type SimulatedCall } from './calls';

export interface Arrivals {
  /** As given (`rate:5/s`, `burst:1000/60s`). */
  spec: string;
  calls: number;
  /** The calls arrive within this many seconds. */
  windowSeconds: number;
}

export interface LoadOptions {
  arrivals: Arrivals;
  callSeconds: [number, number];
  onDemand: number;
  faults: 'none' | 'mix';
}

export const DEFAULT_CALL_SECONDS: [number, number] = [60, 600];
export const MAX_LOAD_CALLS = 1_000_000;
/** An operator's on-demand start comes this many seconds after answer (drawn, whole seconds). */
export const DEMAND_SECONDS: [number, number] = [3, 10];

/** `rate:R/s` (needs minutes) or `burst:N/Ss`; throws InvalidArgumentError naming the part. */
export function parseArrivals(spec: string, minutes: number | undefined): Arrivals {
  const rate = /^rate:(\d+(?:\.\d+)?)\/s$/.exec(spec);
  if (rate) {
    const perSecond = Number(rate[1]);
    if (!(perSecond > 0)) throw new InvalidArgumentError(`--arrivals ${spec}: the rate must be positive`);
    if (minutes === undefined) throw new InvalidArgumentError(`--arrivals ${spec}: needs --minutes M (how long the calls keep arriving)`);
    const calls = Math.round(perSecond * minutes * 60);
    if (calls < 1 || calls > MAX_LOAD_CALLS)
      throw new InvalidArgumentError(`--arrivals ${spec} --minutes ${minutes}: ${calls} calls, must be 1 to ${MAX_LOAD_CALLS}`);
    return { spec, calls, windowSeconds: minutes * 60 };
  }
  const burst = /^burst:(\d+)\/(\d+(?:\.\d+)?)s$/.exec(spec);
  if (burst) {
    const calls = Number(burst[1]);
    const seconds = Number(burst[2]);
    if (calls < 1 || calls > MAX_LOAD_CALLS) throw new InvalidArgumentError(`--arrivals ${spec}: N must be 1 to ${MAX_LOAD_CALLS}`);
    if (!(seconds > 0) || seconds > 86_400)
      throw new InvalidArgumentError(`--arrivals ${spec}: S must be more than 0 and at most 86400 seconds`);
    if (minutes !== undefined) throw new InvalidArgumentError(`--minutes is for --arrivals rate:R/s (a burst says its own window)`);
    return { spec, calls, windowSeconds: seconds };
  }
  throw new InvalidArgumentError(
    `--arrivals must be rate:R/s (with --minutes) or burst:N/Ss, e.g. burst:1000/60s; got ${JSON.stringify(spec)}`,
  );
}

/** `MIN-MAX` whole seconds, 1 to 14,400 (the SMA's 4 hours). */
export function parseCallSeconds(v: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(v);
  const [a, b] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || a < 1 || b > 14_400 || a > b)
    throw new InvalidArgumentError(`--call-seconds must be MIN-MAX whole seconds, 1 <= MIN <= MAX <= 14400, got ${JSON.stringify(v)}`);
  return [a, b];
}

/** A share in [0, 1]. */
export function parseShare(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
      throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got ${JSON.stringify(v)}`);
    return n;
  };
}

export function parseFaultsMode(v: string): 'none' | 'mix' {
  if (v !== 'none' && v !== 'mix')
    throw new InvalidArgumentError(`--faults must be none or mix (the fault campaign's draw), got ${JSON.stringify(v)}`);
  return v;
}

export interface LoadCall extends SimulatedCall {
  /** Virtual ms after the campaign starts that the call arrives (is placed on the SMA). */
  arrivalMs: number;
  record: RecordMode;
}

/** Call `index` of a load campaign. */
export function loadCall(seed: number, index: number, deadlineSeconds: number, load: LoadOptions): LoadCall {
  const r = new SeededRandom(seed).derive(`sim-load:${index}`);
  const arrivalMs = Math.floor(r.next() * load.arrivals.windowSeconds * 1000);
  const demand = r.chance(load.onDemand);
  const atSeconds = r.int(DEMAND_SECONDS[0], DEMAND_SECONDS[1]);
  const record: RecordMode = demand ? { by: 'demand', atSeconds } : { by: 'policy' };
  const durationSeconds = r.int(load.callSeconds[0], load.callSeconds[1]);
  const legs: 1 | 2 = r.chance(0.5) ? 1 : 2;
  if (load.faults === 'none') {
    const call: LoadCall = {
      index,
      name: `sim-${index}`,
      kinds: [`by ${record.by}`],
      track: 'BOTH',
      legs,
      durationSeconds: Math.max(durationSeconds, demand ? atSeconds + 1 : 1),
      faults: {},
      expect: { outcome: 'RECORDED', startAttempts: 1 },
      arrivalMs,
      record,
    };
    return call;
  }
  // The fault campaign's call, arriving now. Its fault timings count from the start at answer, so an on-demand
  // start comes at answer (0 s); a policy-recorded call takes the policy's settings (no location, track, notice or
  // opt-out of its own), and its expectation follows.
  const mixed = simulatedCall(seed, index, deadlineSeconds);
  const call: LoadCall = {
    ...mixed,
    kinds: [...mixed.kinds, `by ${record.by}`],
    arrivalMs,
    record: demand ? { by: 'demand', atSeconds: 0 } : record,
  };
  if (!demand) {
    call.track = 'BOTH';
    delete call.location;
    delete call.consentText;
    delete call.optOutDigit;
    delete call.digits;
  }
  call.expect = expectedOf(call, deadlineSeconds);
  // A caller who hangs up at the very instant of answer: since issue 21 a policy call's StartCallRecording goes out
  // in the Lambda's answer at that same instant, so whether a (zero-second) recording starts before the hangup is a
  // tie the faults do not decide. Only the invariants that hold whatever the verdict are checked for it (every
  // object accounted for, no verdict an object contradicts); test/e2e/policy-under-quota.test.ts pins the tie.
  if (!demand && call.faults.hangupAfterSeconds === 0) call.expect = { ...call.expect, uncertain: true };
  return call;
}
