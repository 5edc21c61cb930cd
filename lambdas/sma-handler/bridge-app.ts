/**
 * The standalone handler's call flow: one application on the recording middleware. An inbound call to a
 * number in BRIDGE_ROUTES is bridged (CallAndBridge); any other inbound call ends or is held by the configured
 * UNROUTED_CALLS policy, never left ringing. It keeps no state of its own: every answer follows from the event.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { bridgeTarget } from '../shared/bridge-routes';
import { logSafe } from '../shared/mask';
import { actionError, MalformedEventError, parseSmaEvent, type Participant, type SmaEvent } from '../recording/sma-event';
import { callAndBridge, hangup, keep, respond, speak, type SmaAction, type SmaResponse } from '../recording/sma-response';
import type { SmaLambdaConfig } from './config';

/**
 * The hold policy's one Pause: it answers the call (call-flow page), which then stays up with no action in
 * progress. Short and not repeated: while it runs, the recording's actions wait for its end (a list boundary)
 * rather than interrupt it, and a Pause after Pause would cost an invocation each (1,000 per call at most).
 */
export const HOLD_PAUSE_MS = 1_000;

export interface BridgeAppDeps {
  config: Pick<SmaLambdaConfig, 'bridgeRoutes' | 'bridgeTimeoutSeconds' | 'unrouted' | 'voice'>;
  log: Logger;
  metrics: Metrics;
}

const isConnected = (p: Participant) => p.Status === undefined || p.Status === 'Connected';
const legA = (event: SmaEvent) =>
  event.CallDetails.Participants.find((p) => p.ParticipantTag === 'LEG-A') ?? event.CallDetails.Participants[0];
const hold = (callId: string): SmaAction => ({ Type: 'Pause', Parameters: { CallId: callId, DurationInMilliseconds: HOLD_PAUSE_MS } });

export function createBridgeApp(deps: BridgeAppDeps): (raw: unknown) => Promise<SmaResponse> {
  const { config, log, metrics } = deps;

  const unrouted = (caller: Participant): SmaAction[] => {
    const policy = config.unrouted;
    metrics.addMetric('UnroutedCalls', MetricUnit.Count, 1);
    switch (policy.kind) {
      case 'hangup':
        return [hangup(caller.CallId, policy.sipResponseCode)];
      case 'speak':
        return [speak(caller.CallId, policy.text, config.voice), hangup(caller.CallId)];
      case 'hold':
        return policy.text ? [speak(caller.CallId, policy.text, config.voice), hold(caller.CallId)] : [hold(caller.CallId)];
    }
  };

  const onEvent = (event: SmaEvent): SmaResponse => {
    switch (event.InvocationEventType) {
      case 'NEW_INBOUND_CALL': {
        const caller = legA(event);
        if (!caller) return keep();
        const target = bridgeTarget(config.bridgeRoutes, caller.To);
        // Recording starts once the bridge is up (its ACTION_SUCCESSFUL): the middleware waits for an answered call.
        if (target && caller.From) return respond([callAndBridge(caller.From, target, config.bridgeTimeoutSeconds)]);
        log.info('unrouted inbound call', { policy: config.unrouted.kind });
        return respond(unrouted(caller));
      }
      case 'ACTION_SUCCESSFUL':
        // The hold policy: the Pause answered the call; it then stays up with no action until the caller hangs up.
        return keep();
      case 'ACTION_INTERRUPTED':
        // Informational: the SMA ignores what is returned (update-sip-call). Only this application's own updates
        // interrupt it: the recording middleware never replaces a list in progress.
        log.info('action interrupted', { action: logSafe(event.ActionData.Type) });
        return keep();
      case 'ACTION_FAILED': {
        const { error } = actionError(event.ActionData);
        if (event.ActionData.Type === 'CallAndBridge') {
          // The bridge target did not answer: end the caller's leg rather than leave them in silence.
          log.warn('bridge failed; hanging up the caller', { error: logSafe(error) });
          const caller = legA(event);
          return respond(caller ? [hangup(caller.CallId)] : []);
        }
        log.warn('action failed', { action: logSafe(event.ActionData.Type), error: logSafe(error) });
        return keep();
      }
      case 'HANGUP': {
        // Two-leg call: when one party hangs up, end the other leg too (the SMA ignores this on a one-leg call).
        const params = event.ActionData.Parameters ?? {};
        const endedLeg = typeof params.CallId === 'string' ? params.CallId : undefined;
        const others = event.CallDetails.Participants.filter((p) => p.CallId !== endedLeg && isConnected(p));
        return respond(others.map((p) => hangup(p.CallId)));
      }
      case 'CALL_UPDATE_REQUESTED':
        // The recording workflow's commands never reach the application; the bridge sends no updates of its own.
        log.warn('CALL_UPDATE_REQUESTED without a task token ignored', { command: logSafe(event.ActionData.Parameters.Arguments.command) });
        return keep();
      default:
        return keep();
    }
  };

  return async (raw: unknown): Promise<SmaResponse> => {
    let event: SmaEvent;
    try {
      event = parseSmaEvent(raw);
    } catch (e) {
      if (!(e instanceof MalformedEventError)) throw e;
      log.error('malformed SMA event answered with an empty action list', {
        reason: logSafe(e.message, 1024),
        problems: e.problems.slice(0, 20).map((p) => logSafe(p, 256)),
      });
      metrics.addMetric('MalformedEvents', MetricUnit.Count, 1);
      return keep();
    }
    return onEvent(event);
  };
}
