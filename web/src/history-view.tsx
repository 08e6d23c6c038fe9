/**
 * History [history]: recorded executions with filters (status, kind, since), and two charts —
 * durations over time, and Claude cost per day.
 */
import { useMemo, useState } from "preact/hooks";
import type uPlot from "uplot";
import type { WireExecution } from "../../src/protocol/history.js";
import { Chart } from "./chart.js";
import type { CcExecutorClient } from "./connection.js";
import { ExecutionTable, fromRecord, PAGE_SIZE } from "./executions-list.js";
import { usePoll } from "./use-poll.js";

const STATUSES = ["", "completed", "failed", "canceled", "timed_out", "interrupted", "running"];
const SINCE: Array<[string, number | null]> = [
  ["last hour", 3600],
  ["last day", 86_400],
  ["last week", 7 * 86_400],
  ["last 30 days", 30 * 86_400],
  ["all", null],
];
/** The charts cover up to this many records of the filter. */
const CHART_RECORDS = 1000;

type Status = "completed" | "failed" | "canceled" | "timed_out" | "interrupted" | "running";

export function HistoryView({ client }: { client: CcExecutorClient }) {
  const [status, setStatus] = useState("");
  const [kind, setKind] = useState("");
  const [sinceSeconds, setSinceSeconds] = useState<number | null>(7 * 86_400);
  const [page, setPage] = useState(0);

  const filter = useMemo(() => {
    const params: { status?: Status; kind?: "command" | "claude"; since?: number } = {};
    if (status) params.status = status as Status;
    if (kind) params.kind = kind as "command" | "claude";
    if (sinceSeconds !== null) params.since = Math.floor(Date.now() / 1000) - sinceSeconds;
    return params;
  }, [status, kind, sinceSeconds]);

  const { value, error } = usePoll(
    () =>
      Promise.all([
        client.request("history.list", { ...filter, limit: PAGE_SIZE, offset: page * PAGE_SIZE }),
        client.request("history.list", { ...filter, limit: CHART_RECORDS }),
      ]),
    5000,
    [client, filter, page],
  );
  const listed = value?.[0];
  const charted = value?.[1].executions;
  const charts = useMemo(() => (charted ? chartData(charted) : null), [charted]);

  return (
    <section data-testid="history">
      <h2>History</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select
            data-testid="filter-status"
            value={status}
            onChange={(e) => {
              setStatus((e.target as HTMLSelectElement).value);
              setPage(0);
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || "any"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select
            data-testid="filter-kind"
            value={kind}
            onChange={(e) => {
              setKind((e.target as HTMLSelectElement).value);
              setPage(0);
            }}
          >
            <option value="">any</option>
            <option value="command">command</option>
            <option value="claude">claude</option>
          </select>
        </label>
        <label>
          Since
          <select
            data-testid="filter-since"
            value={String(sinceSeconds)}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              setSinceSeconds(v === "null" ? null : Number(v));
              setPage(0);
            }}
          >
            {SINCE.map(([label, seconds]) => (
              <option key={label} value={String(seconds)}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      {error && <p class="error">{error}</p>}
      {charts && (
        <div class="charts">
          <Chart
            title="Duration (s) over time"
            testId="chart-durations"
            data={charts.durations}
            series={DURATION_SERIES}
          />
          <Chart
            title="Claude cost per day ($)"
            testId="chart-cost"
            data={charts.cost}
            series={COST_SERIES}
            bars
          />
        </div>
      )}
      {listed && (
        <>
          <p class="muted">{listed.count} executions match.</p>
          <ExecutionTable rows={listed.executions.map(fromRecord)} />
          <div class="pager">
            {page > 0 && (
              <button type="button" onClick={() => setPage(page - 1)}>
                ← Newer
              </button>
            )}
            {(page + 1) * PAGE_SIZE < listed.count && (
              <button type="button" onClick={() => setPage(page + 1)}>
                Older →
              </button>
            )}
          </div>
        </>
      )}
    </section>
  );
}

const DURATION_SERIES: uPlot.Series[] = [
  { label: "duration (s)", stroke: "#4c8bf5", points: { show: true, size: 5 }, width: 0 },
];
const COST_SERIES: uPlot.Series[] = [{ label: "cost ($)", stroke: "#e0a030", fill: "#e0a03066" }];

/** uPlot wants sorted x values (seconds) and one array per series. */
export function chartData(records: WireExecution[]): {
  durations: uPlot.AlignedData;
  cost: uPlot.AlignedData;
} {
  const timed = records
    .filter((r) => r.started_at && r.duration_ms !== null)
    .map((r) => [Date.parse(r.started_at as string) / 1000, (r.duration_ms as number) / 1000])
    .sort((a, b) => (a[0] as number) - (b[0] as number));
  const perDay = new Map<number, number>();
  for (const r of records) {
    const cost = r.claude?.cost_usd;
    if (cost === null || cost === undefined) continue;
    const day = Math.floor(Date.parse(r.created_at) / 86_400_000) * 86_400;
    perDay.set(day, (perDay.get(day) ?? 0) + cost);
  }
  const days = [...perDay.keys()].sort((a, b) => a - b);
  return {
    durations: [timed.map((p) => p[0] as number), timed.map((p) => p[1] as number)],
    cost: [days, days.map((d) => perDay.get(d) as number)],
  };
}
