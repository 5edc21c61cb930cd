/**
 * The Step Functions SDK, loaded on first use instead of at cold start (issue 9: the standalone handler's cold
 * start). Most events of a call, its first one included (NEW_INBOUND_CALL), call no Step Functions API, and
 * evaluating @aws-sdk/client-sfn (with node:https, node:http2, the credential chain) at module load was a large
 * share of every cold start. A plain `require` inside a function, on purpose: esbuild keeps a required module
 * lazy in the bundle (its init runs on the first call), and tsc's CommonJS output, jest and tsx resolve it as
 * before; a dynamic `import()` would make creating a client asynchronous for every caller.
 */
import type * as Sfn from '@aws-sdk/client-sfn';

export type SfnSdk = typeof import('./sfn-sdk-exports');

let sdk: SfnSdk | undefined;

export function sfnSdk(): SfnSdk {
  sdk ??= require('./sfn-sdk-exports') as SfnSdk;
  return sdk;
}

/** A client made on first use (`make` runs once), or the one given. */
export type SfnSource = Sfn.SFNClient | (() => Sfn.SFNClient);

export function lazyClient(make: () => Sfn.SFNClient): () => Sfn.SFNClient {
  let client: Sfn.SFNClient | undefined;
  return () => {
    client ??= make();
    return client;
  };
}

export const clientOf = (source: SfnSource): Sfn.SFNClient => (typeof source === 'function' ? source() : source);
