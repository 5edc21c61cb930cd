/**
 * Running one action of a list: validates its parameters as the service does and plays it out on the virtual
 * clock. The outcome goes back to the call's mailbox; an effect on the call (a bridged leg, a recording) is
 * applied there, so an action that was cut short changes nothing.
 */
import { intParam, isObject } from './actions';
import { connectedLeg, failed, nonEmpty, speakMs, targetLeg, wait } from './action-support';
import type { CallState, Outcome } from './call';
import { callAndBridge } from './call-and-bridge';
import { getDigits } from './digit-collection';
import { actionError, invalidParameter } from './errors';
import type { ActionShape } from './events';
import type { EmulatorRuntime } from './runtime';
import { receiveDigits } from './receive-digits';
import { startCallRecording } from './start-call-recording';

const SIP_CODES = new Set([0, 480, 486]); // hangup: allowed SipResponseCode values

/**
 * A PauseCallRecording while paused, or a ResumeCallRecording while not paused: the docs do not say. Assumed:
 * ACTION_SUCCESSFUL and nothing changes (no new window, no tone; call-recordings.ts records it changed: false).
 * Set an ErrorType here to model the other reading (ACTION_FAILED with it).
 */
export const REDUNDANT_CONTROL_ERROR: string | undefined = undefined;

export async function execute(rt: EmulatorRuntime, call: CallState, action: ActionShape, signal: AbortSignal): Promise<Outcome> {
  const p = action.Parameters ?? {};
  switch (action.Type) {
    case 'Pause': {
      if (!targetLeg(call, p)) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
      // pause: DurationInMilliseconds; an older revision of the page spells it DurationInMilliSeconds.
      const ms = intParam(p.DurationInMilliseconds ?? p.DurationInMilliSeconds);
      if (ms === undefined || ms <= 0) return failed(invalidParameter('DurationInMilliseconds'));
      return wait(rt, call, ms, signal, { status: 'ok' });
    }
    case 'Speak': {
      if (!connectedLeg(call, p.CallId)) return failed(invalidParameter('CallId'));
      if (typeof p.Text !== 'string' || p.Text.length === 0)
        return failed(actionError('MissingRequiredActionParameter', 'Text is a required parameter.'));
      if (p.Text.length > 1000) return failed(actionError('MissingRequiredActionParameter', 'Text is limited to 1,000 characters'));
      if (p.TextType !== undefined && p.TextType !== 'text' && p.TextType !== 'ssml') return failed(invalidParameter('TextType'));
      if (p.Engine !== undefined && p.Engine !== 'standard' && p.Engine !== 'neural') return failed(invalidParameter('Engine'));
      const fault = noticeFault(call);
      if (fault) return failed(actionError(fault));
      const ms = speakMs(rt, p.Text);
      return wait(rt, call, ms, signal, { status: 'ok' });
    }
    case 'PlayAudio': {
      if (!targetLeg(call, p)) return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
      const src = p.AudioSource;
      if (!isObject(src) || src.Type !== 'S3' || !nonEmpty(src.BucketName) || !nonEmpty(src.Key))
        return failed(actionError('InvalidAudioSource'));
      const fault = noticeFault(call);
      if (fault) return failed(actionError(fault));
      const repeat = p.Repeat === undefined ? 1 : intParam(p.Repeat);
      if (repeat === undefined || repeat < 1) return failed(invalidParameter('Repeat'));
      return wait(rt, call, rt.timing.playAudioSeconds * 1000 * repeat, signal, { status: 'ok' });
    }
    case 'CallAndBridge':
      return callAndBridge(rt, call, p, signal);
    case 'SpeakAndGetDigits':
    case 'PlayAudioAndGetDigits':
      return getDigits(rt, call, action.Type, p, signal);
    case 'Hangup': {
      // hangup: ParticipantTag is ignored when CallId is given; default = the invoked leg (here LEG-A).
      const leg =
        p.CallId !== undefined ? call.leg(String(p.CallId)) : call.leg(typeof p.ParticipantTag === 'string' ? p.ParticipantTag : 'LEG-A');
      if (leg?.status !== 'Connected' || (p.CallId !== undefined && leg.callId !== p.CallId)) {
        return failed(invalidParameter(p.CallId !== undefined ? 'CallId' : 'ParticipantTag'));
      }
      const code = p.SipResponseCode === undefined ? 0 : intParam(p.SipResponseCode);
      if (code === undefined || !SIP_CODES.has(code)) return failed(invalidParameter('SipResponseCode'));
      return { status: 'hangup', callId: leg.callId, sipResponseCode: code };
    }
    case 'StartCallRecording':
      return startCallRecording(rt, call, p, signal);
    case 'ReceiveDigits':
      return receiveDigits(call, action);
    case 'StopCallRecording':
    case 'PauseCallRecording':
    case 'ResumeCallRecording': {
      // A stopped recording cannot be paused, resumed or stopped again (sip-apps-call-record: "You can only start
      // and stop recording once for an individual call leg"). What a second stop (or one after the leg's hangup)
      // returns is not said: ACTION_FAILED by default, ACTION_SUCCESSFUL with no effect under `noEffect`.
      const rec = typeof p.CallId === 'string' ? call.recordings.get(p.CallId) : undefined;
      if (rec && rec.record.status !== 'recording' && action.Type === 'StopCallRecording' && call.readings.repeatedStop === 'noEffect')
        return { status: 'ok' };
      if (rec?.record.status !== 'recording') return failed(invalidParameter('CallId'));
      if (action.Type === 'StopCallRecording') return { status: 'ok', effect: { kind: 'stopRecording', callId: rec.record.callId } };
      if (REDUNDANT_CONTROL_ERROR && rec.paused === (action.Type === 'PauseCallRecording'))
        return failed(actionError(REDUNDANT_CONTROL_ERROR));
      return {
        status: 'ok',
        effect: { kind: 'pauseRecording', callId: rec.record.callId, paused: action.Type === 'PauseCallRecording' },
      };
    }
    default:
      // checkResponse lets only supported types through.
      return failed(actionError('SystemException', `The emulator cannot run ${action.Type}`));
  }
}

/** faults.consent: the error the next notice (Speak or PlayAudio) of the call fails with, if any. */
function noticeFault(call: CallState): string | undefined {
  return call.faults.consent?.[call.noticeAttempts++];
}
