/**
 * The spools of executions run on workers, kept on this server as for local runs: the stream
 * reader waits while one is far behind the disk (as a local child's pipes would), and an ended
 * one's spool is handed to the janitor once complete.
 */
import type { SpoolJanitor } from "../../supervisor/spool/spool-janitor.js";
import type { RemoteExecution } from "./remote-execution.js";

const BEHIND_BYTES = 1024 * 1024;
const CAUGHT_UP_BYTES = 512 * 1024;

/** Resolves once no active execution's spool is more than BEHIND_BYTES behind. */
export async function spoolsCaughtUp(active: RemoteExecution[]): Promise<void> {
  for (const execution of active) {
    const spool = execution.spool;
    if (spool && spool.backlogBytes > BEHIND_BYTES) await spool.backlogAtMost(CAUGHT_UP_BYTES);
  }
}

/** An ended execution: its output lives on in the spool, not in memory. */
export function settleSpool(execution: RemoteExecution, janitor: SpoolJanitor | null): void {
  const spool = execution.spool;
  if (!spool) return;
  void spool
    .finish()
    .then(() => {
      if (!spool.complete) return;
      execution.output.window.clear();
      if (spool.sizeBytes > 0) janitor?.adopt(spool.dir, spool.sizeBytes);
    })
    .catch(() => {});
}
