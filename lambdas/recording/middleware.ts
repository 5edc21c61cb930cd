/**
 * The recording middleware for any SMA handler, two ways (docs/embedding.md):
 *
 *   export const handler = middy(app).use(recording());      // middy: register it first
 *   export const handler = withRecording(app);               // a plain async (event, context) => response
 *
 * Both are the same RecordingCore. Build them at module load: configuration problems are then logged once, at
 * cold start, naming the variable, and the recording feature they belong to is off; calls always flow.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { RecordingCore, type RecordingOptions } from './middleware-core';
import type { QuietEvent } from './quiet-path';

type Finish = (appResponse: unknown) => Promise<unknown>;

/** The middy middleware. Register it before the others: its `before` runs first and its `after` last. */
export function recording(options: RecordingOptions = {}): MiddlewareObj<unknown, unknown, Error, Context> {
  const core = new RecordingCore(options);
  // Per request: the fast path's event (finished synchronously) or the full path's finish. The latest request's
  // in a slot (one invocation at a time is the Lambda's way; a WeakMap costs on every event), earlier ones still
  // pending (concurrent invocations, or one whose `after` never ran) in the WeakMap.
  const pending = new WeakMap<object, QuietEvent | Finish>();
  let slotRequest: object | undefined;
  let slotValue: QuietEvent | Finish | undefined;
  const hold = (request: object, value: QuietEvent | Finish) => {
    if (slotRequest !== undefined) pending.set(slotRequest, slotValue as QuietEvent | Finish);
    slotRequest = request;
    slotValue = value;
  };
  const take = (request: object): QuietEvent | Finish | undefined => {
    if (request === slotRequest) {
      const value = slotValue;
      slotRequest = slotValue = undefined;
      return value;
    }
    const value = pending.get(request);
    pending.delete(request);
    return value;
  };
  const fullBefore = async (request: Request<unknown, unknown, Error, Context>) => {
    const prepared = await core.prepareFull(request.event);
    if (prepared.kind === 'respond') {
      // Early return: middy then skips every `after`, the application's logMetrics included, so the
      // middleware publishes what this invocation counted itself.
      core.publish(true);
      return prepared.response;
    }
    request.event = prepared.event;
    hold(request, prepared.finish);
    return undefined;
  };
  const fullAfter = async (request: Request<unknown, unknown, Error, Context>, finish: Finish) => {
    request.response = await finish(request.response);
    core.publish();
  };
  // `before` and `after` are plain functions, not async ones: on the fast path (most events of most calls) they
  // return without a promise of their own (middy awaits whatever they return).
  return {
    before: (request: Request<unknown, unknown, Error, Context>) => {
      const quiet = core.takeQuiet(request.event);
      if (quiet === undefined) return fullBefore(request);
      request.event = quiet.appEvent;
      hold(request, quiet);
      return undefined;
    },
    after: (request: Request<unknown, unknown, Error, Context>) => {
      const finish = take(request);
      if (typeof finish === 'function') return fullAfter(request, finish);
      if (finish) request.response = core.finishQuiet(finish, request.response);
      core.publish();
      return undefined;
    },
    onError: async (request: Request<unknown, unknown, Error, Context>) => {
      // The application's error is the application's: left to its onError middlewares, untouched.
      take(request);
      core.publish();
    },
  };
}

/** The same logic around a plain handler (no middy in the application). */
export function withRecording<C = Context>(
  handler: (event: any, context: C) => unknown,
  options: RecordingOptions = {},
): (event: unknown, context: C) => Promise<any> {
  const core = new RecordingCore(options);
  return async (event: unknown, context: C) => {
    const quiet = core.takeQuiet(event);
    if (quiet) {
      let appResponse: unknown;
      try {
        appResponse = await handler(quiet.appEvent, context);
      } catch (e) {
        core.publish();
        throw e;
      }
      const response = core.finishQuiet(quiet, appResponse);
      core.publish();
      return response;
    }
    const prepared = await core.prepareFull(event);
    if (prepared.kind === 'respond') {
      core.publish();
      return prepared.response;
    }
    let appResponse: unknown;
    try {
      appResponse = await handler(prepared.event, context);
    } catch (e) {
      core.publish();
      throw e;
    }
    const response = await prepared.finish(appResponse);
    core.publish();
    return response;
  };
}

export { RecordingCore, type RecordingOptions };
