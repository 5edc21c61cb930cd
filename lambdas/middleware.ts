/**
 * Package entry `dependable-call-recording/middleware`. For now this is the standalone SMA handler factory
 * (the handler the project deploys): `createHandler({ config: loadConfig(process.env) })`. The recording
 * middleware designed in docs/embedding.md replaces it here, so an application imports from one place.
 *
 * @middy/core 6 is ES modules only: bundle a handler that imports this (esbuild, as CDK's NodejsFunction
 * does) rather than `require` it on Node 20.
 */
export { createHandler, createSfnClient, TIMEOUT_EARLY_MS, type HandlerDeps } from './sma-handler/handler';
export { loadConfig, type SmaLambdaConfig } from './sma-handler/config';
export type { SmaResponse } from './sma-handler/sma-response';
