/**
 * What the emulator's parts share: the emulator-wide settings and services (clock, S3, timing, logger, the
 * closing signal), and the small vocabulary they use to cut a call's work short.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Clock, TimerTag } from '../clock';
import type { CallState } from './call';
import type { EmulatorLogger } from './types';

export type SmaHandler = (event: unknown, context: object) => Promise<unknown>;

export interface EmulatorTiming {
  /** Virtual seconds from CallAndBridge to LEG-B answering. Default 2. */
  answerDelaySeconds?: number;
  /** Speak takes text length / this many virtual seconds (at least 0.5 s). Default 15. */
  speakCharsPerSecond?: number;
  /** Virtual seconds one PlayAudio playback takes. Default 3. */
  playAudioSeconds?: number;
  /**
   * When LEG-A hangs up a bridged call and the Lambda leaves LEG-B connected (the real service keeps it up
   * and bills it: call-and-bridge), the far party hangs up after this many virtual seconds. Default 5.
   */
  remainingLegHangupSeconds?: number;
  /**
   * Virtual seconds from UpdateSipMediaApplicationCall's 202 to the CALL_UPDATE_REQUESTED invocation, which the
   * service makes asynchronously (update-sip-call). The docs give no figure: 0.2 s is an assumption, and it is
   * what makes a caller who hangs up at answer hang up before the workflow's first update. Default 0.2.
   */
  updateDelaySeconds?: number;
}

/** The emulator-wide state every part reads; `closed` is set once, by SmaEmulator.close(). */
export interface EmulatorRuntime {
  readonly handler: SmaHandler;
  readonly clock: Clock;
  readonly s3: S3Client;
  readonly timing: Required<EmulatorTiming>;
  readonly logger?: EmulatorLogger;
  /** WALL milliseconds the SMA waits for one invocation before retrying it. */
  readonly invocationTimeoutMs: number;
  readonly awsAccountId: string;
  readonly region: string;
  readonly sipMediaApplicationId: string;
  readonly sipRuleId: string;
  readonly functionName: string;
  /** Aborted by close(): every call's timers listen on it. */
  readonly closing: AbortSignal;
  closed: boolean;
  /** Buckets seen to exist (see bucketReachable). */
  readonly reachableBuckets: Set<string>;
}

/** Abort reasons, told apart when an action's sleep is cut short. */
export const INTERRUPT = new Error('interrupted by a new action list');
export const LEG_GONE = new Error('the leg hung up');

export class EmulatorClosed extends Error {
  override readonly name = 'EmulatorClosed';
}

/** A call's timers are ordered with its workflow's (the twin's execution name is the TransactionId). */
export function timerTag(call: CallState, label: string): TimerTag {
  return { owner: call.transactionId, label };
}
