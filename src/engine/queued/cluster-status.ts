/**
 * What `server.status` says about queue mode (DESIGN §12): the Redis it uses and whether it is
 * reachable (and if not, why), and the workers alive now.
 */
import type { ClusterStatus } from "../engine.js";
import { redactedUrl } from "./redis-connection.js";
import type { WorkerRegistry } from "./worker-registry.js";

export interface ClusterState {
  queueUrl: string;
  queuePrefix: string;
  /** ioredis's status of the server's command connection ("ready" when connected). */
  connection: string;
  registry: Pick<WorkerRegistry, "alive" | "error">;
  /** Why the output stream could not be read last (null: it could). */
  readerError: string | null;
}

export function clusterStatus(state: ClusterState): ClusterStatus {
  const ready = state.connection === "ready";
  return {
    queue: {
      url: redactedUrl(state.queueUrl),
      prefix: state.queuePrefix,
      connected: ready,
      error: ready ? (state.registry.error ?? state.readerError) : `Redis is ${state.connection}`,
    },
    workers: state.registry.alive().map((beat) => ({
      id: beat.id,
      host: beat.host,
      pid: beat.pid,
      concurrency: beat.concurrency,
      running: beat.running,
      last_heartbeat: new Date(beat.last_heartbeat).toISOString(),
    })),
  };
}
