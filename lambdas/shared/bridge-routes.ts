/**
 * BRIDGE_ROUTES: dialled E.164 number -> the E.164 number the SMA Lambda bridges the call to. Parsed the same
 * way by the Lambda (from its environment) and by infra/ (from CDK context), so a route the synth accepts is
 * one the Lambda will use.
 */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** Validates a parsed routes object; throws an Error naming the first bad entry. */
export function parseBridgeRoutes(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('must be a JSON object of E.164 -> E.164');
  const routes: Record<string, string> = {};
  for (const [from, to] of Object.entries(value)) {
    if (!E164.test(from) || typeof to !== 'string' || !E164.test(to))
      throw new Error(`keys and values must be E.164 numbers, got ${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
    routes[from] = to;
  }
  return routes;
}

/**
 * The bridge target for a dialled number, or undefined. Own properties only: a dialled "constructor",
 * "toString" or "__proto__" must not find Object.prototype's members.
 */
export function bridgeTarget(routes: Readonly<Record<string, string>>, dialled: string | undefined): string | undefined {
  if (dialled === undefined || !Object.hasOwn(routes, dialled)) return undefined;
  const target = routes[dialled];
  return typeof target === 'string' ? target : undefined;
}
