/**
 * The event mix of the warm-latency benchmark: the docs-shaped fixtures of test/fixtures/sma-events (see
 * test/fixtures/sma-events/SOURCES.md), with the workflow's task tokens added where a real call would carry
 * them, so the handler does its real work on each: parse, route, build actions, and for 4 of the 12 kinds a Step
 * Functions callback (SendTaskSuccess / SendTaskFailure) over HTTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OwnStateAttribute } from '../lambdas/recording/own-state';
import { Arg, Command, PendingCallIdAttribute, TokenAttribute } from '../lambdas/shared/workflow-contract';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'sma-events');
type Event = Record<string, any>;

const fixture = (name: string): Event => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
/** Task tokens are opaque strings of a few hundred characters (the twin's are 300). */
const token = (label: string) => `${label}-`.repeat(60).slice(0, 300);
const LOCATION = 'my-recording-bucket/technicalSupport/english';

function withAttributes(event: Event, attributes: Record<string, string>): Event {
  event.CallDetails.TransactionAttributes = { ...attributes };
  return event;
}

function update(args: Record<string, string>, attributes?: Record<string, string>): Event {
  const event = fixture('CALL_UPDATE_REQUESTED');
  event.ActionData = { Type: 'CallUpdateRequest', Parameters: { Arguments: args } };
  return attributes ? withAttributes(event, attributes) : event;
}

export interface BenchEvent {
  kind: string;
  /** true when the handler calls Step Functions for it */
  callsSfn: boolean;
  event: Event;
}

export function eventMix(): BenchEvent[] {
  const legA = fixture('NEW_INBOUND_CALL').CallDetails.Participants[0].CallId as string;
  const startToken = { [TokenAttribute.StartRecording]: token('start'), [PendingCallIdAttribute]: legA };
  return [
    { kind: 'NEW_INBOUND_CALL', callsSfn: false, event: fixture('NEW_INBOUND_CALL') },
    { kind: 'RINGING', callsSfn: false, event: fixture('RINGING') },
    {
      kind: 'CALL_UPDATE_REQUESTED StartRecording',
      callsSfn: false,
      event: update({
        [Arg.command]: Command.StartRecording,
        [Arg.taskToken]: token('start'),
        [Arg.callId]: legA,
        [Arg.track]: 'BOTH',
        [Arg.location]: LOCATION,
        [Arg.attempt]: '1',
      }),
    },
    {
      kind: 'ACTION_SUCCESSFUL StartCallRecording',
      callsSfn: true,
      event: withAttributes(fixture('ACTION_SUCCESSFUL-StartCallRecording'), startToken),
    },
    {
      kind: 'ACTION_FAILED StartCallRecording',
      callsSfn: true,
      event: withAttributes(fixture('ACTION_FAILED-StartCallRecording-SystemException'), startToken),
    },
    {
      kind: 'CALL_UPDATE_REQUESTED NotifyConsent',
      callsSfn: false,
      event: update({
        [Arg.command]: Command.NotifyConsent,
        [Arg.taskToken]: token('consent'),
        [Arg.text]: 'This call is being recorded for quality and compliance purposes.',
      }),
    },
    {
      kind: 'ACTION_SUCCESSFUL Speak',
      callsSfn: true,
      event: withAttributes(fixture('ACTION_SUCCESSFUL-Speak'), { [TokenAttribute.NotifyConsent]: token('consent') }),
    },
    {
      kind: 'CALL_UPDATE_REQUESTED WaitForCallEnd',
      callsSfn: false,
      event: update({ [Arg.command]: Command.WaitForCallEnd, [Arg.taskToken]: token('end') }),
    },
    { kind: 'DIGITS_RECEIVED', callsSfn: false, event: fixture('DIGITS_RECEIVED') },
    { kind: 'ACTION_INTERRUPTED', callsSfn: false, event: fixture('ACTION_INTERRUPTED') },
    { kind: 'INVALID_LAMBDA_RESPONSE', callsSfn: false, event: fixture('INVALID_LAMBDA_RESPONSE') },
    { kind: 'HANGUP', callsSfn: true, event: withAttributes(fixture('HANGUP'), { [TokenAttribute.WaitForCallEnd]: token('end') }) },
  ];
}

/**
 * The IVR example's own events (examples/ivr): a call's menu, digits and bridge, no recording command among
 * them, so the IVR alone and the IVR with the middleware get the same work and the difference is what the
 * middleware adds to every event of an application that is not being recorded at that moment.
 *
 * `withMiddlewareState`: each event also carries the `rw:own` the middleware's previous answer left in the
 * call's TransactionAttributes (the IVR's action list in progress, kept so an update can resume it), as it
 * does on a real call with the middleware; the IVR alone never sees that key. Without it the middleware
 * would be measured on events it never gets after the first one of a call.
 */
export function ivrEventMix(options: { withMiddlewareState?: boolean } = {}): BenchEvent[] {
  const own = (event: Event, list: string[]): Event => {
    if (!options.withMiddlewareState) return event;
    event.CallDetails.TransactionAttributes = {
      ...(event.CallDetails.TransactionAttributes ?? {}),
      [OwnStateAttribute]: JSON.stringify({ a: list }),
    };
    return event;
  };
  const atMenu = (event: Event) => own(event, ['SpeakAndGetDigits']);
  const bridging = (event: Event) => own(event, ['CallAndBridge']);
  return ivrEvents().map((m, i) => ({
    ...m,
    event: i === 0 ? m.event : (m.kind.includes('SpeakAndGetDigits') ? atMenu : bridging)(m.event),
  }));
}

function ivrEvents(): BenchEvent[] {
  const atMenu = { 'ivr:repeats': '0' };
  const menuResult = (type: 'ACTION_SUCCESSFUL' | 'ACTION_FAILED', digits?: string): Event => {
    const event = fixture(type === 'ACTION_SUCCESSFUL' ? 'ACTION_SUCCESSFUL-Speak' : 'ACTION_FAILED');
    const callId = event.CallDetails.Participants[0].CallId as string;
    event.ActionData = {
      Type: 'SpeakAndGetDigits',
      Parameters: { CallId: callId, InputDigitsRegex: '^[0-9*]$', MinNumberOfDigits: 1, MaxNumberOfDigits: 1 },
      ...(digits === undefined
        ? { ErrorType: 'InvalidDigitsReceived', ErrorMessage: 'No digits were received.' }
        : { ReceivedDigits: digits }),
    };
    return withAttributes(event, atMenu);
  };
  const bridgeFailed = fixture('ACTION_FAILED');
  bridgeFailed.ActionData = {
    Type: 'CallAndBridge',
    Parameters: { CallTimeoutSeconds: 30, Endpoints: [{ BridgeEndpointType: 'PSTN', Uri: '+12065550100' }] },
    ErrorType: 'CallNotAnswered',
    ErrorMessage: 'The call was not answered.',
  };
  return [
    { kind: 'NEW_INBOUND_CALL', callsSfn: false, event: fixture('NEW_INBOUND_CALL') },
    { kind: 'ACTION_SUCCESSFUL SpeakAndGetDigits "1"', callsSfn: false, event: menuResult('ACTION_SUCCESSFUL', '1') },
    { kind: 'ACTION_SUCCESSFUL SpeakAndGetDigits "9"', callsSfn: false, event: menuResult('ACTION_SUCCESSFUL', '9') },
    { kind: 'ACTION_FAILED SpeakAndGetDigits', callsSfn: false, event: menuResult('ACTION_FAILED') },
    { kind: 'DIGITS_RECEIVED', callsSfn: false, event: withAttributes(fixture('DIGITS_RECEIVED'), atMenu) },
    { kind: 'ACTION_SUCCESSFUL CallAndBridge', callsSfn: false, event: withAttributes(fixture('ACTION_SUCCESSFUL-CallAndBridge'), atMenu) },
    { kind: 'ACTION_FAILED CallAndBridge', callsSfn: false, event: withAttributes(bridgeFailed, atMenu) },
    { kind: 'HANGUP', callsSfn: false, event: withAttributes(fixture('HANGUP-two-leg'), atMenu) },
  ];
}
