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

type Finish = (appResponse: unknown) => Promise<unknown>;

/** The middy middleware. Register it before the others: its `before` runs first and its `after` last. */
export function recording(options: RecordingOptions = {}): MiddlewareObj<unknown, unknown, Error, Context> {
  const core = new RecordingCore(options);
  // Per request (concurrent invocations each get their own): the merge of the application's answer.
  const pending = new WeakMap<object, Finish>();
  return {
    before: async (request: Request<unknown, unknown, Error, Context>) => {
      const prepared = await core.prepare(request.event);
      if (prepared.kind === 'respond') {
        // Early return: middy then skips every `after`, the application's logMetrics included, so the
        // middleware publishes what this invocation counted itself.
        core.publish(true);
        return prepared.response;
      }
      request.event = prepared.event;
      pending.set(request, prepared.finish);
      return undefined;
    },
    after: async (request: Request<unknown, unknown, Error, Context>) => {
      const finish = pending.get(request);
      pending.delete(request);
      if (finish) request.response = await finish(request.response);
      core.publish();
    },
    onError: async (request: Request<unknown, unknown, Error, Context>) => {
      // The application's error is the application's: left to its onError middlewares, untouched.
      pending.delete(request);
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
    const prepared = await core.prepare(event);
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
