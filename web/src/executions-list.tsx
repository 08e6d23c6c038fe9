/**
 * Executions [executions]: the server's live ones (running, queued, recently ended, from
 * `executions.list`) above the recorded ones (`history.list`), a page of 50 at a time. Live:
 * re-read when the server says an execution changed (`executions.subscribe`); a slow re-read
 * besides picks up what the feed does not carry (a finished run's cost, written to history
 * just after it ends). Running rows count their time up in the page.
 */
import type { HistoryListResult, WireExecution } from "../../src/protocol/history.js";
import type { ExecutionSummary } from "../../src/protocol/results.js";
import type { CcExecutorClient } from "./connection.js";
import { elapsedMs, formatCost, formatDuration, isFinal, shortId } from "./format.js";
import { href, navigate } from "./router.js";
import { useExecutionsFeed } from "./use-executions-feed.js";
import { useNow } from "./use-now.js";
import { usePoll } from "./use-poll.js";

/** The re-read besides the feed: cost and records land in history after the end. */
const SLOW_REREAD_MS = 10_000;

export const PAGE_SIZE = 50;

export interface Row {
  id: string;
  kind: string;
  text: string;
  status: string;
  durationMs: number | null;
  costUsd: number | null;
  worker: string;
  startedAt: string | null;
  /** Running: the time counts up from here (ms since epoch) as the page shows it. */
  runningSinceMs: number | null;
}

function fromLive(summary: ExecutionSummary): Row {
  return {
    id: summary.execution_id,
    kind: summary.kind,
    text: summary.command,
    status: summary.status,
    durationMs: elapsedMs(summary.started_at, summary.ended_at),
    costUsd: null,
    worker: summary.worker_id,
    startedAt: summary.started_at ?? summary.submitted_at,
    runningSinceMs:
      summary.started_at && !summary.ended_at && summary.status === "running"
        ? Date.parse(summary.started_at)
        : null,
  };
}

export function fromRecord(record: WireExecution): Row {
  return {
    id: record.execution_id,
    kind: record.kind,
    text: record.command,
    status: record.status,
    durationMs: record.duration_ms ?? elapsedMs(record.started_at, record.ended_at),
    costUsd: record.claude?.cost_usd ?? null,
    worker: record.worker_id,
    startedAt: record.started_at ?? record.created_at,
    runningSinceMs: null,
  };
}

async function loadRows(client: CcExecutorClient, page: number): Promise<Row[]> {
  const [live, recorded]: [{ executions: ExecutionSummary[] }, HistoryListResult] =
    await Promise.all([
      page === 0
        ? client.request("executions.list", { limit: 200 })
        : Promise.resolve({ executions: [] }),
      client.request("history.list", { limit: PAGE_SIZE, offset: page * PAGE_SIZE }),
    ]);
  const recordedById = new Map(recorded.executions.map((r) => [r.execution_id, r]));
  const rows = live.executions.map((summary) => {
    const record = recordedById.get(summary.execution_id);
    // A finished one has its cost and final duration in its record.
    return record && isFinal(record.status) ? fromRecord(record) : fromLive(summary);
  });
  const shown = new Set(rows.map((row) => row.id));
  for (const record of recorded.executions)
    if (!shown.has(record.execution_id)) rows.push(fromRecord(record));
  return rows;
}

export function ExecutionsList({ client, page }: { client: CcExecutorClient; page: number }) {
  const {
    value: rows,
    error,
    refresh,
  } = usePoll(() => loadRows(client, page), SLOW_REREAD_MS, [client, page]);
  useExecutionsFeed(client, refresh);
  return (
    <section data-testid="executions">
      <div class="toolbar">
        <h2>Executions</h2>
        <a class="button" href="#/new">
          Start…
        </a>
      </div>
      {error && <p class="error">{error}</p>}
      {rows === null ? (
        <p class="muted">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="muted">Nothing has run yet.</p>
      ) : (
        <ExecutionTable rows={rows} />
      )}
      <div class="pager">
        {page > 0 && <a href={href({ view: "executions", page: page - 1 })}>← Newer</a>}
        {rows && rows.length >= PAGE_SIZE && (
          <a href={href({ view: "executions", page: page + 1 })}>Older →</a>
        )}
      </div>
    </section>
  );
}

export function ExecutionTable({ rows }: { rows: Row[] }) {
  const nowMs = useNow(rows.some((row) => row.runningSinceMs !== null) ? 1000 : null);
  return (
    <table class="rows ids">
      <thead>
        <tr>
          <th>id</th>
          <th>command or prompt</th>
          <th>status</th>
          <th>time</th>
          <th class="wide">cost</th>
          <th class="wide">worker</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr
            key={row.id}
            data-testid="execution-row"
            data-execution-id={row.id}
            data-status={row.status}
            tabIndex={0}
            onClick={() => navigate({ view: "execution", id: row.id })}
            onKeyDown={(event) => {
              if (event.key === "Enter") navigate({ view: "execution", id: row.id });
            }}
          >
            <td>
              <a href={href({ view: "execution", id: row.id })} tabIndex={-1}>
                <code>{shortId(row.id)}</code>
              </a>
            </td>
            <td class="text" title={row.text}>
              <span class={`kind kind-${row.kind}`}>{row.kind === "claude" ? "claude" : "$"}</span>{" "}
              {row.text}
            </td>
            <td>
              <span class={`status status-${row.status}`}>{row.status}</span>
            </td>
            <td>
              {formatDuration(
                row.runningSinceMs === null
                  ? row.durationMs
                  : Math.max(0, nowMs - row.runningSinceMs),
              )}
            </td>
            <td class="wide">{formatCost(row.costUsd)}</td>
            <td class="wide">{row.worker}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
