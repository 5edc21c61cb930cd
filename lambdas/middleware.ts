/**
 * Package entry `dependable-call-recording/middleware`: the recording middleware for an existing SMA handler
 * (docs/embedding.md), and the project's standalone handler built on it.
 *
 *   import middy from '@middy/core';
 *   import { recording } from 'dependable-call-recording/middleware';
 *   export const handler = middy(myIvr).use(recording());
 *
 * @middy/core 6 is ES modules only: bundle a handler that imports this (esbuild, as CDK's NodejsFunction
 * does) rather than `require` it on Node 20.
 */
export { recording, withRecording } from './recording/middleware';
export { RecordingCore, createSfnClient, type RecordingOptions } from './recording/middleware-core';
export { OWN_PREFIX } from './recording/own-state';
export { loadRecordingConfig, type RecordingConfig } from './recording/config';
export type { SmaAction, SmaAnswer, SmaResponse } from './recording/sma-response';
export { createHandler, TIMEOUT_EARLY_MS, type HandlerDeps } from './sma-handler/handler';
export { loadConfig, parseUnroutedPolicy, type SmaLambdaConfig, type UnroutedPolicy } from './sma-handler/config';
