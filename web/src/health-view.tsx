/** Workers and server health [health]: `server.status`, re-read every 2 s. */
import type { ServerStatusResult } from "../../src/protocol/results.js";
import type { CcExecutorClient } from "./connection.js";
import { formatDuration, formatTime } from "./format.js";
import { usePoll } from "./use-poll.js";

export function HealthView({ client }: { client: CcExecutorClient }) {
  const { value: status, error } = usePoll<ServerStatusResult>(() => client.serverStatus(), 2000, [
    client,
  ]);
  // Not empty when the server dispatches to workers (docs/workers.md).
  const workers = status?.workers;
  return (
    <section data-testid="health">
      <h2>Server health</h2>
      {error && <p class="error">{error}</p>}
      {status && (
        <dl class="facts">
          <dt>version</dt>
          <dd>{status.version}</dd>
          <dt>pid</dt>
          <dd>{status.pid}</dd>
          <dt>up</dt>
          <dd>{formatDuration(status.uptime_seconds * 1000)}</dd>
          <dt>connections</dt>
          <dd>
            {status.connections} of {status.limits.max_sessions}
          </dd>
          <dt>executions</dt>
          <dd data-testid="health-executions">
            {status.executions.running} running, {status.executions.queued} queued,{" "}
            {status.executions.retained} retained
          </dd>
          <dt>limits</dt>
          <dd>
            {status.limits.max_concurrent} at once, {status.limits.max_per_connection} per
            connection, queue {status.limits.max_queue}
          </dd>
          <dt>memory</dt>
          <dd>{(status.rss_bytes / 1048576).toFixed(1)} MiB resident</dd>
          <dt>auth</dt>
          <dd>{status.auth}</dd>
        </dl>
      )}
      <h3>Workers</h3>
      {workers && workers.length > 0 ? (
        <table class="rows">
          <thead>
            <tr>
              <th>worker</th>
              <th>host</th>
              <th>running</th>
              <th>last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.id} data-testid="worker-row">
                <td>{w.id}</td>
                <td>
                  {w.host} <span class="muted">pid {w.pid}</span>
                </td>
                <td>
                  {w.running} of {w.concurrency}
                </td>
                <td>{formatTime(w.last_heartbeat)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">This server runs executions itself (no workers).</p>
      )}
    </section>
  );
}
