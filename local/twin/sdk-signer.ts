/**
 * One SigV4 signer per client and auth scheme for the twin's own SDK clients, instead of one per request.
 *
 * SDK v3 (checked against @aws-sdk/core 3.981, httpAuthSchemes) builds `config.signer(authScheme)` anew for every
 * request: a copy of the whole client config and a fresh SignatureV4, whose signing-key cache is then empty, so
 * every request also derives its signing key (5 HMACs). The signer's inputs are the client's config (fixed once
 * the first request has filled in signingRegion/signingName) and the auth scheme: remembering the promise per
 * scheme gives the same signer, hence byte-identical signatures, for a fraction of the CPU. There is no SDK option
 * for it; `signer` is a documented client config field, and this keeps the SDK's own construction.
 */
interface SigningClient {
  config: object;
}

type SignerFn = (authScheme?: { name?: string; signingName?: string; signingRegion?: string }) => Promise<unknown>;

export function reuseSigner<C extends SigningClient>(client: C): C {
  const config = client.config as { signer?: SignerFn };
  const make = config.signer;
  if (typeof make !== 'function') return client;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (authScheme) => {
    const key = `${authScheme?.name}\u0000${authScheme?.signingName}\u0000${authScheme?.signingRegion}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = make(authScheme);
      signers.set(key, signer);
      signer.catch(() => signers.delete(key)); // a failed construction is retried by the next request
    }
    return signer;
  };
  return client;
}
