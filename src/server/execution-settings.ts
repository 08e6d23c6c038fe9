/** What each execution runs under, from the server's settings: grace times, window, its spool. */
import { join } from "node:path";
import type { Settings } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import type { ExecutionSettings, ExecutionSpec } from "../supervisor/execution/execution-spec.js";
import type { SpoolBudget } from "../supervisor/spool/spool-janitor.js";

export function executionSettings(
  settings: Settings,
  spoolRoot: string,
  spec: ExecutionSpec,
  logger: Logger,
  /** The server's total spool cap, shared by every execution. */
  spoolBudget: SpoolBudget | null = null,
): ExecutionSettings {
  return {
    killGraceMs: settings.killGraceMs,
    drainMs: settings.drainMs,
    statusIntervalMs: settings.statusIntervalMs,
    windowBytes: settings.maxBufferBytes,
    tailFlushMs: settings.tailFlushMs,
    spool: {
      dir: join(spoolRoot, spec.id),
      capBytes: settings.spoolCapBytes,
      segmentBytes: settings.spoolSegmentBytes,
      budget: spoolBudget,
      // The run goes on and live subscribers miss nothing; only replay beyond the memory
      // window is lost (a process.gap), so the operator must hear of it here.
      onFailure: (message) =>
        logger.warn(
          { execution_id: spec.id, error: message },
          "spooling stopped: output beyond the memory window cannot be replayed",
        ),
    },
  };
}
