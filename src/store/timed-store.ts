/**
 * A store that reports how long each call took (the `/metrics` store latency series): writes
 * (`apply`, `prune`) and reads (every query), by method. The store layer only measures; what is
 * done with the numbers is the caller's (the server feeds a prom-client histogram).
 */
import type { Store } from "./store.js";

export type StoreOperation = "write" | "read";

/** Called once per finished call, failed ones included. */
export type StoreTiming = (operation: StoreOperation, method: string, durationMs: number) => void;

export function timedStore(store: Store, timing: StoreTiming): Store {
  const timed =
    <A extends unknown[], R>(
      operation: StoreOperation,
      method: string,
      call: (...args: A) => Promise<R>,
    ) =>
    async (...args: A): Promise<R> => {
      const startedMs = performance.now();
      try {
        return await call(...args);
      } finally {
        timing(operation, method, performance.now() - startedMs);
      }
    };
  return {
    kind: store.kind,
    apply: timed("write", "apply", (ops) => store.apply(ops)),
    prune: timed("write", "prune", (options) => store.prune(options)),
    getExecution: timed("read", "getExecution", (id) => store.getExecution(id)),
    listExecutions: timed("read", "listExecutions", (query) => store.listExecutions(query)),
    findExecutionIds: timed("read", "findExecutionIds", (prefix, limit) =>
      store.findExecutionIds(prefix, limit),
    ),
    countExecutions: timed("read", "countExecutions", () => store.countExecutions()),
    stats: timed("read", "stats", (query) => store.stats(query)),
    listConnections: timed("read", "listConnections", (limit) => store.listConnections(limit)),
    journal: timed("read", "journal", () => store.journal()),
    recentDurations: timed("read", "recentDurations", (commandClass, limit) =>
      store.recentDurations(commandClass, limit),
    ),
    getTaskRun: timed("read", "getTaskRun", (runId) => store.getTaskRun(runId)),
    listTaskRuns: timed("read", "listTaskRuns", (query) => store.listTaskRuns(query)),
    findTaskRunIds: timed("read", "findTaskRunIds", (prefix, limit) =>
      store.findTaskRunIds(prefix, limit),
    ),
    close: () => store.close(),
  };
}
