/**
 * The middleware's answer to the SMA: the actions chosen (null: the NULL action set) with one map, the
 * application's keys (what it returned, else what it had) plus the middleware's `rw:*` keys, or no map at all when
 * neither side changed anything (omitted = kept). Every answer of middleware-core.ts goes through here, so the
 * SMA's limits are checked once: a map over them is not sent, and the recording gives up its own keys, never the
 * application's.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { logSafe } from '../shared/mask';
import { Command, TokenAttribute } from '../shared/workflow-contract';
import { envelope } from './app-answer';
import type { TaskCallbacks } from './task-callbacks';
import { OWN_PREFIX, type OwnState, ownKeys, sameMap, withoutOwn, withState } from './own-state';
import { checkAttributes, type SmaAction, type SmaAnswer } from './sma-response';

type Attributes = Record<string, string>;

export class AnswerMerge {
  private collisionReported = false;

  constructor(
    private readonly logger: Logger,
    private readonly count: (metric: string) => void,
    private readonly callbacks: TaskCallbacks,
  ) {}

  answer(
    incoming: Attributes,
    actions: SmaAction[] | null | undefined,
    appReturned: Attributes | undefined,
    ownNext: Attributes,
    appResponse?: Record<string, unknown>,
  ): SmaAnswer {
    const ownChanged = !sameMap(ownKeys(incoming), ownNext);
    const app = appResponse ?? {};
    if (appReturned === undefined && !ownChanged) return envelope(app, actions);
    const appKeys = withoutOwn(appReturned ?? incoming);
    if (appReturned) {
      const collisions = Object.keys(appReturned).filter((k) => k.startsWith(OWN_PREFIX));
      if (collisions.length) this.reportCollision(collisions);
    }
    const merged = { ...appKeys, ...ownNext };
    try {
      checkAttributes(merged);
    } catch (e) {
      this.attributesFull(e, ownNext, appReturned === undefined ? ownKeys(incoming) : {});
      return envelope(app, actions, appReturned);
    }
    return envelope(app, actions, merged);
  }

  /** The map an answer with `state` would send fits the SMA's limits. */
  fits(appAttributes: Attributes, ownNext: Attributes, state: OwnState): boolean {
    try {
      checkAttributes({ ...withoutOwn(appAttributes), ...withState(ownNext, state) });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Recording loses, the call does not: the application's map goes out as it gave it; the tokens that would have
   * travelled in the dropped keys (`ownNext` but not `kept`) are failed now rather than left to time out.
   */
  private attributesFull(e: unknown, ownNext: Attributes, kept: Attributes): void {
    this.logger.warn('TransactionAttributes full: the recording gives up its keys', { problem: (e as Error).message });
    this.count('TransactionAttributesOverLimit');
    for (const command of Object.values(Command)) {
      const key = TokenAttribute[command];
      const token = ownNext[key];
      if (token && kept[key] !== token) void this.callbacks.fail(token, 'TransactionAttributesFull', (e as Error).message, command);
    }
  }

  private reportCollision(keys: string[]): void {
    this.count('ApplicationAttributeCollisions');
    if (this.collisionReported) return;
    this.collisionReported = true;
    this.logger.error(`the application's TransactionAttributes use the recording's prefix "${OWN_PREFIX}"; the recording's values win`, {
      keys: keys.slice(0, 5).map((k) => logSafe(k)),
    });
  }
}
