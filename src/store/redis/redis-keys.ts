/**
 * The Redis key layout of the history store (docs/history.md lists it). Every key starts with
 * the prefix (default `cc-executor:`), so several deployments can share one Redis, and tests
 * can delete exactly their own keys.
 */
import type { ExecutionStatus } from "../../protocol/methods.js";
import type { ExecutionKind } from "../store.js";

export const DEFAULT_KEY_PREFIX = "cc-executor:";
export const SCHEMA_VERSION = "1";

export class RedisKeys {
  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {}

  /** STRING: the layout version of these keys. */
  get schema(): string {
    return `${this.prefix}schema`;
  }
  /** STRING: one execution record as JSON, without output. */
  execution(id: string): string {
    return `${this.prefix}exec:${id}`;
  }
  /** STRING: the stored output (head, tail) of one execution as JSON. */
  output(id: string): string {
    return `${this.prefix}out:${id}`;
  }
  /** ZSET: every execution id, scored by creation time (ms). */
  get executions(): string {
    return `${this.prefix}executions`;
  }
  /** ZSET: execution ids of one status, scored by creation time. */
  byStatus(status: ExecutionStatus): string {
    return `${this.prefix}executions:status:${status}`;
  }
  /** ZSET: execution ids of one kind, scored by creation time. */
  byKind(kind: ExecutionKind): string {
    return `${this.prefix}executions:kind:${kind}`;
  }
  /** ZSET: completed executions of one command class, scored by end time (timeout learning). */
  durations(commandClass: string): string {
    return `${this.prefix}durations:${commandClass}`;
  }
  /** STRING: one connection record as JSON. */
  connection(sessionId: string): string {
    return `${this.prefix}conn:${sessionId}`;
  }
  /** ZSET: every connection's session id, scored by start time. */
  get connections(): string {
    return `${this.prefix}connections`;
  }
  /** HASH: execution id → journal entry JSON. */
  get journal(): string {
    return `${this.prefix}journal`;
  }
  /** STRING: one task-list run record as JSON. */
  taskRun(runId: string): string {
    return `${this.prefix}taskrun:${runId}`;
  }
  /** ZSET: every task-list run id, scored by creation time. */
  get taskRuns(): string {
    return `${this.prefix}taskruns`;
  }
  /** ZSET: task-list run ids of one status, scored by creation time. */
  taskRunsByStatus(status: string): string {
    return `${this.prefix}taskruns:status:${status}`;
  }
  /** The pattern matching every key of this prefix (for cleanup). */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  }
}
