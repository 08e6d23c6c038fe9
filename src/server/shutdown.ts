/**
 * Graceful stop (DESIGN §4, §7): every client is told, every execution ends as `interrupted` with
 * its `process.completed` delivered, then sockets close with 1001 (going away).
 */
import type { ServerContext } from "./server-context.js";

const FLUSH_WAIT_MS = 2000;

export async function shutdownConnections(context: ServerContext, reason: string): Promise<void> {
  for (const connection of context.connections) connection.notify("server.shutdown", { reason });
  // Task lists start no further step; each one ends as interrupted once its step has, and its
  // watchers hear so before their connection closes.
  const tasksStopped = context.tasks.close();
  await context.engine.shutdown();
  await tasksStopped;
  // Executions that ended just before may still be writing their last output to the spool;
  // a stopped server leaves no write behind (a caller may remove the home right after).
  await Promise.all(
    context.engine.list({ limit: Number.MAX_SAFE_INTEGER }).map((e) => e.spool?.flushed()),
  );
  const connections = [...context.connections];
  await Promise.race([
    Promise.all(connections.map((c) => c.outbound.whenWritable())),
    new Promise((resolve) => setTimeout(resolve, FLUSH_WAIT_MS).unref()),
  ]);
  for (const connection of connections) connection.close(1001, "server shutdown");
}
