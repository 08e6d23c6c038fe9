/**
 * The engine a worker runs its jobs with: the same LocalEngine, supervisor, guardian, process
 * groups, timeouts, Claude runs and detectors as a local server (DESIGN §12 "exactly as
 * locally"). What the server already did is not done twice: its pre-hooks ran and its history
 * decided the timeout (the job carries it), so here hooks pass the request on and the timeout
 * is the request's. The output goes to the server, whose spool keeps it: no spool here.
 */
import type { Settings } from "../config/settings.js";
import { LocalEngine } from "../engine/local-engine.js";
import type { AuditLog } from "../log/audit-log.js";
import { captureServerEnv } from "../supervisor/process/child-env.js";
import { findExecutable, resolveShell } from "../supervisor/process/shell.js";
import { Supervisor } from "../supervisor/supervisor.js";

export function workerEngine(settings: Settings, concurrency: number): LocalEngine {
  captureServerEnv();
  const supervisor = new Supervisor(
    {
      maxConcurrent: concurrency,
      maxPerConnection: Number.MAX_SAFE_INTEGER,
      maxQueue: concurrency,
      retainEnded: 0,
    },
    () => ({
      killGraceMs: settings.killGraceMs,
      drainMs: settings.drainMs,
      statusIntervalMs: settings.statusIntervalMs,
      windowBytes: settings.maxBufferBytes,
      tailFlushMs: settings.tailFlushMs,
      spool: null,
    }),
  );
  return new LocalEngine({
    settings,
    supervisor,
    estimator: {
      decide: async (seconds) =>
        typeof seconds === "number"
          ? { timeoutMs: Math.round(seconds * 1000), source: "request", estimate: null }
          : { timeoutMs: null, source: "none", estimate: null },
    },
    hooks: { before: async (_kind, params) => params },
    audit: NO_AUDIT,
    shellPath: resolveShell(settings.shell),
    stdbufPath: findExecutable("stdbuf"),
  });
}

/** The server that queued a job keeps its audit record; a worker has none of its own. */
const NO_AUDIT: AuditLog = { record() {}, close() {} };
