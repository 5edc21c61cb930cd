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

/**
 * What the middleware answers for an application that threw or did not answer in time: a NULL action set, which
 * keeps the actions in progress (invoke-on-call-leg). A thrown error would make the SMA retry the invocation and,
 * failing again, hang up the call (unexpected-hangups); the recording's own actions still go out at a boundary.
 */
const NO_ANSWER = { SchemaVersion: '1.0', Actions: null };

/**
 * withRecording bounds the application's time: the SMA waits 5 s for the Lambda and then invokes it again
 * (timeouts), so an answer later than this is worth less than the NULL action set now. A middy application sets
 * middy's own timeoutEarlyInMillis.
 */
export const APPLICATION_DEADLINE_MS = 4_000;

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
      // Registered first, this runs after the application's own onError middlewares. What they answered is merged
      // like any answer; an error nobody answered gets the NULL action set: the call goes on, and so does the
      // recording (its token stays parked, its actions wait for the next boundary).
      const finish = pending.get(request);
      pending.delete(request);
      if (finish) {
        if (request.response === undefined) core.applicationFailed(request.error);
        request.response = await finish(request.response ?? NO_ANSWER);
      }
      core.publish();
    },
  };
}

/**
 * The same logic around a plain handler (no middy in the application). The application's errors and answers later
 * than `applicationDeadlineMs` (default APPLICATION_DEADLINE_MS) are answered with a NULL action set.
 */
export function withRecording<C = Context>(
  handler: (event: any, context: C) => unknown,
  options: RecordingOptions & { applicationDeadlineMs?: number } = {},
): (event: unknown, context: C) => Promise<any> {
  const core = new RecordingCore(options);
  const deadline = options.applicationDeadlineMs ?? APPLICATION_DEADLINE_MS;
  return async (event: unknown, context: C) => {
    const prepared = await core.prepare(event);
    if (prepared.kind === 'respond') {
      core.publish();
      return prepared.response;
    }
    let appResponse: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<typeof NO_ANSWER>((resolve) => {
        timer = setTimeout(() => {
          core.applicationFailed(new Error(`the application did not answer within ${deadline} ms`), 'ApplicationTimeouts');
          resolve(NO_ANSWER);
        }, deadline);
      });
      appResponse = await Promise.race([Promise.resolve(handler(prepared.event, context)), late]);
    } catch (e) {
      core.applicationFailed(e);
      appResponse = NO_ANSWER;
    } finally {
      clearTimeout(timer);
    }
    const response = await prepared.finish(appResponse);
    core.publish();
    return response;
  };
}

export { RecordingCore, type RecordingOptions };
