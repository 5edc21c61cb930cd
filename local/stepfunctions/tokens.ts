/**
 * Task tokens of `.waitForTaskToken` tasks.
 *
 * A token is an opaque bearer credential (300 base64url characters; AWS allows up to 2,048) and is
 * single-use. After its task ends it stays known as "dead" so that a late callback gets the error
 * AWS gives: `TaskTimedOut` when the task timed out, `TaskDoesNotExist` when the task already
 * completed, was retried, or its execution closed. A token that was never issued is
 * `InvalidToken`. Tokens are never logged and never appear in error messages.
 */
import { randomBytes } from 'node:crypto';
import { SfnApiError } from './errors';

export type CallbackOutcome =
  | { kind: 'success'; output: unknown }
  | { kind: 'failure'; error: string | undefined; cause: string | undefined };

export interface PendingTask {
  executionArn: string;
  /** The Task state that issued the token. */
  stateName?: string;
  /** False once the task stopped waiting (its execution closed, it timed out, it was retried). */
  isOpen(): boolean;
  /** Called at most once, when SendTaskSuccess/SendTaskFailure is accepted for this token. */
  onCallback(outcome: CallbackOutcome): void;
  onHeartbeat(): void;
}

export type DeadReason = 'TaskTimedOut' | 'TaskDoesNotExist';

const TOKEN_RE = /^[A-Za-z0-9_-]{300}$/;
const MAX_DEAD = 100_000;

export class TaskTokenRegistry {
  private readonly live = new Map<string, PendingTask>();
  private readonly dead = new Map<string, DeadReason>();

  /**
   * `onIssue` sees every token issued (the twin's simulation checks that none reaches a log line); `onComplete`
   * every callback accepted, with its execution (the twin's SMA emulator uses it to model racing responses).
   */
  constructor(
    private readonly onIssue?: (token: string, executionArn: string) => void,
    private readonly onComplete?: (executionArn: string) => void,
    /** The twin's faults.loseCallback: true drops this callback as if it never arrived (the token stays live). */
    private readonly loses?: (executionArn: string, stateName: string) => boolean,
  ) {}

  issue(task: PendingTask): string {
    const token = randomBytes(225).toString('base64url'); // 225 bytes -> exactly 300 characters
    this.live.set(token, task);
    this.onIssue?.(token, task.executionArn);
    return token;
  }

  /** End a token's life; later callbacks get `reason`. */
  retire(token: string, reason: DeadReason): void {
    if (!this.live.delete(token)) return;
    this.dead.set(token, reason);
    if (this.dead.size > MAX_DEAD) this.dead.delete(this.dead.keys().next().value as string);
  }

  /** Deliver SendTaskSuccess/SendTaskFailure; the token is consumed. */
  complete(token: unknown, outcome: CallbackOutcome): void {
    const task = this.lookup(token);
    if (this.loses?.(task.executionArn, task.stateName ?? '')) return;
    this.retire(token as string, 'TaskDoesNotExist');
    this.onComplete?.(task.executionArn);
    task.onCallback(outcome);
  }

  heartbeat(token: unknown): void {
    this.lookup(token).onHeartbeat();
  }

  private lookup(token: unknown): PendingTask {
    if (typeof token !== 'string' || token.length === 0 || token.length > 2048) {
      throw new SfnApiError('ValidationException', 'taskToken must be a string of 1 to 2048 characters');
    }
    const task = this.live.get(token);
    if (task?.isOpen()) return task;
    if (task) this.retire(token, 'TaskDoesNotExist');
    const reason = this.dead.get(token);
    if (reason === 'TaskTimedOut') throw new SfnApiError('TaskTimedOut', 'Task Timed Out: the task of this token has timed out');
    if (reason === 'TaskDoesNotExist')
      throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist: the task of this token is no longer waiting for a callback');
    throw new SfnApiError(
      'InvalidToken',
      TOKEN_RE.test(token) ? 'Invalid Token: unknown task token' : 'Invalid Token: malformed task token',
    );
  }
}
