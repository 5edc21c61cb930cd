/** Shared fixtures for the test/local tests: a real s3rver on a temp folder, the twin's clock, a scripted SMA Lambda. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { SimClock } from '../../local/clock';
import { makeS3Client, startS3Server, type S3Server } from '../../local/s3/server';
import { SmaEmulator, type EmulatorTiming, type SmaReadings } from '../../local/sma/emulator';
import type { CallHandle, InvocationRecord } from '../../local/sma/types';

export const BUCKET = 'twin-recordings';
export const SMA_ID = 'sma-0001-test';
export const ACCOUNT = '111122223333';
export const CALLER = '+14255550101';
export const DIALED = '+12065550199';
export const AGENT = '+13035550177';

/** Loose view of an event, for scripted handlers and assertions. */
export type Ev = {
  InvocationEventType: string;
  Sequence: number;
  ActionData?: any;
  CallDetails: any;
  ErrorType?: string;
  ErrorMessage?: string;
};
export type Script = (event: Ev) => unknown;

export interface Twin {
  s3: S3Client;
  s3Server: S3Server;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTwinS3(buckets: string[] = [BUCKET]): Promise<Twin> {
  const dataDir = mkdtempSync(join(tmpdir(), 'twin-s3-'));
  const s3Server = await startS3Server({ dataDir, buckets });
  const s3 = makeS3Client(s3Server.endpoint);
  return {
    s3,
    s3Server,
    dataDir,
    async close() {
      s3.destroy();
      await s3Server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function makeEmulator(
  s3: S3Client,
  script: Script,
  options: { clock?: SimClock; invocationTimeoutMs?: number; timing?: EmulatorTiming; readings?: SmaReadings } = {},
): SmaEmulator {
  return new SmaEmulator({
    handler: async (event) => script(event as Ev),
    // Discrete-event time: calls run as fast as the CPU allows, the same way on a busy machine.
    clock: options.clock ?? new SimClock(),
    s3,
    sipMediaApplicationId: SMA_ID,
    awsAccountId: ACCOUNT,
    region: 'us-east-1',
    invocationTimeoutMs: options.invocationTimeoutMs ?? 2000,
    timing: options.timing,
    readings: options.readings,
  });
}

export function respond(actions: unknown[] = [], transactionAttributes?: Record<string, string>) {
  return { SchemaVersion: '1.0', Actions: actions, ...(transactionAttributes ? { TransactionAttributes: transactionAttributes } : {}) };
}

export function legId(event: Ev, tag: 'LEG-A' | 'LEG-B'): string {
  return event.CallDetails.Participants.find((p: { ParticipantTag: string }) => p.ParticipantTag === tag).CallId;
}

export const startRecording = (callId: string, location = BUCKET, track = 'BOTH') => ({
  Type: 'StartCallRecording',
  Parameters: { CallId: callId, Track: track, Destination: { Type: 'S3', Location: location } },
});
export const pause = (ms: number, callId?: string) => ({
  Type: 'Pause',
  Parameters: { ...(callId ? { CallId: callId } : {}), DurationInMilliseconds: String(ms) },
});
export const speak = (callId: string, text = 'This call is recorded.') => ({
  Type: 'Speak',
  Parameters: { CallId: callId, Text: text, Engine: 'neural', LanguageCode: 'en-US', VoiceId: 'Joanna' },
});
export const bridge = (to = AGENT, from = CALLER) => ({
  Type: 'CallAndBridge',
  Parameters: { CallTimeoutSeconds: 30, CallerIdNumber: from, Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: to }] },
});
export const hangupAction = (callId: string, code = 0) => ({
  Type: 'Hangup',
  Parameters: { CallId: callId, SipResponseCode: String(code) },
});

/** The invocations the SMA acted on (drops failed deliveries and superseded duplicates). */
export function acted(handle: CallHandle): InvocationRecord[] {
  return handle.log.filter(
    (r) =>
      r.error === undefined &&
      !(r.attempt === 1 && handle.log.some((o) => o.sequence === r.sequence && o.attempt === 2 && o.error === undefined)),
  );
}

export function types(handle: CallHandle): string[] {
  return acted(handle).map((r) => r.eventType);
}

export function ev(record: InvocationRecord): Ev {
  return record.event as unknown as Ev;
}

/**
 * The per-file fixture of the emulator tests: one S3 twin for the file, and emulators made through
 * `emulator()` closed after each test.
 */
export function useEmulators(buckets?: string[]) {
  let twin: Twin;
  const emulators: SmaEmulator[] = [];
  beforeAll(async () => {
    twin = await startTwinS3(buckets);
  });
  afterEach(async () => {
    await Promise.all(emulators.splice(0).map((e) => e.close()));
  });
  afterAll(() => twin.close());
  return {
    twin: () => twin,
    emulator(script: Script, options?: Parameters<typeof makeEmulator>[2]): SmaEmulator {
      const e = makeEmulator(twin.s3, script, options);
      emulators.push(e);
      return e;
    },
  };
}
