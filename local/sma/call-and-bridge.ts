/** CallAndBridge: validates the parameters as the service does, then LEG-B answers (or nobody does). */
import { E164, intParam, isObject } from './actions';
import { nonEmpty, toFailure, wait } from './action-support';
import type { CallState, Outcome } from './call';
import { actionError } from './errors';
import type { ActionError } from './events';
import type { EmulatorRuntime } from './runtime';

const DEFAULT_CALL_TIMEOUT_SECONDS = 30; // call-and-bridge: CallTimeoutSeconds default

/** call-and-bridge (parameters) and unexpected-action-fail (InvalidActionParameter messages). */
export async function callAndBridge(
  rt: EmulatorRuntime,
  call: CallState,
  p: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Outcome> {
  call.bridgeRequested = true;
  const legA = call.leg('LEG-A')!;
  // call-and-bridge: ACTION_SUCCESSFUL / ACTION_FAILED Parameters carry the LEG-A CallId.
  const parameterExtras = { CallId: legA.callId };
  const fail = (error: ActionError): Outcome => ({ status: 'failed', ...toFailure(error), parameterExtras });
  if (call.leg('LEG-B')) return fail(actionError('InvalidActionParameter', 'The emulator bridges one LEG-B per call'));
  if (p.CallerIdNumber === undefined) return fail(actionError('InvalidActionParameter', 'Caller ID not defined.'));
  if (typeof p.CallerIdNumber !== 'string' || !E164.test(p.CallerIdNumber))
    return fail(actionError('InvalidActionParameter', 'Invalid caller ID.'));
  const endpoints = p.Endpoints;
  if (!Array.isArray(endpoints) || endpoints.length !== 1)
    return fail(actionError('InvalidActionParameter', 'Invalid number of endpoints provided.'));
  const endpoint: unknown = endpoints[0];
  const validEndpoint =
    isObject(endpoint) &&
    ((endpoint.BridgeEndpointType === 'PSTN' && typeof endpoint.Uri === 'string' && E164.test(endpoint.Uri)) ||
      (endpoint.BridgeEndpointType === 'AWS' && nonEmpty(endpoint.Uri) && nonEmpty(endpoint.Arn)));
  if (!validEndpoint) return fail(actionError('InvalidActionParameter', 'Endpoint parameter is invalid.'));
  const timeout = p.CallTimeoutSeconds === undefined ? DEFAULT_CALL_TIMEOUT_SECONDS : intParam(p.CallTimeoutSeconds);
  if (timeout === undefined || timeout <= 0 || timeout > 120) {
    return fail(
      actionError('InvalidActionParameter', 'The MaxCallTimeout parameter is invalid. Timeout must be between 0 and 120 seconds.'),
    );
  }
  if (call.spec.legs !== 2) {
    // The scenario has one leg: nobody answers the bridged number (call-and-bridge's failed example).
    const outcome = await wait(rt, call, timeout * 1000, signal, { status: 'ok' });
    return outcome.status === 'ok' ? fail(actionError('CallNotAnswered')) : outcome;
  }
  const to = String(endpoint.Uri);
  const answered = await wait(rt, call, rt.timing.answerDelaySeconds * 1000, signal, { status: 'ok' });
  if (answered.status !== 'ok') return answered;
  return { status: 'ok', effect: { kind: 'bridge', callId: call.random.uuid(), from: p.CallerIdNumber, to }, parameterExtras };
}
