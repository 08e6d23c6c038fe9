/**
 * `/metrics` (Prometheus text format, token required) on a real server: executions by kind and
 * status, durations, output bytes, running and queued, connections, spool bytes, and a Claude
 * run's cost and tokens (the real CLI against the mock Messages API).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textReply } from "./fixtures/mock-anthropic/index.js";
import { type ClaudeHarness, startClaudeHarness } from "./helpers/claude-server.js";
import { probe } from "./helpers/http-probe.js";

let h: ClaudeHarness;

beforeAll(async () => {
  h = await startClaudeHarness();
});
afterAll(async () => {
  await h.stop();
});

/** The value of one sample line (`name{labels} value`), or null when it is not there. */
function sample(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

async function metricsText(): Promise<string> {
  const scraped = await probe(h.server.port, { path: "/metrics", token: h.server.token });
  expect(scraped.status).toBe(200);
  return scraped.body;
}

describe("/metrics", () => {
  it("needs the token", async () => {
    const refused = await probe(h.server.port, { path: "/metrics" });
    expect(refused.status).toBe(401);
    expect(refused.body).not.toContain("cc_executor_");
  });

  it("counts what ran and what runs, in the Prometheus text format", async () => {
    await h.socket.run("printf 12345");
    await h.socket.run("echo oops >&2; exit 3");
    h.mock.when(() => true, textReply("four"));
    const claude = await h.claude("What is 2+2?");
    expect(claude.completed.status).toBe("completed");

    const scraped = await probe(h.server.port, { path: "/metrics", token: h.server.token });
    expect(scraped.status).toBe(200);
    expect(scraped.headers["content-type"]).toContain("text/plain");
    const text = scraped.body;
    expect(sample(text, 'cc_executor_executions_total{kind="command",status="completed"}')).toBe(1);
    expect(sample(text, 'cc_executor_executions_total{kind="command",status="failed"}')).toBe(1);
    expect(sample(text, 'cc_executor_executions_total{kind="claude",status="completed"}')).toBe(1);
    expect(sample(text, 'cc_executor_execution_duration_seconds_count{kind="command"}')).toBe(2);
    expect(sample(text, 'cc_executor_output_bytes_total{stream="stderr"}')).toBe(5);
    expect(sample(text, "cc_executor_executions_running")).toBe(0);
    expect(sample(text, "cc_executor_executions_queued")).toBe(0);
    expect(sample(text, "cc_executor_connections")).toBe(1);
    expect(sample(text, "cc_executor_spool_bytes")).toBeGreaterThan(0);
    expect(sample(text, "cc_executor_claude_cost_usd_total")).toBeGreaterThan(0);
    expect(sample(text, 'cc_executor_claude_tokens_total{type="output"}')).toBeGreaterThan(0);
    expect(text).toContain("# TYPE cc_executor_claude_retries_total counter");
    expect(sample(text, "cc_executor_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("times the history store's writes and reads", async () => {
    const before = await metricsText();
    const writes = (text: string) =>
      sample(text, 'cc_executor_store_operation_seconds_count{operation="write",method="apply"}') ??
      0;
    const lists = (text: string) =>
      sample(
        text,
        'cc_executor_store_operation_seconds_count{operation="read",method="listExecutions"}',
      ) ?? 0;
    const { id } = await h.socket.run("echo stored");
    // The record is written (batched, off the caller's path); a listing sees it once it is.
    const deadline = Date.now() + 10_000;
    while (!JSON.stringify(await h.socket.result("history.list", { limit: 5 })).includes(id)) {
      expect(Date.now()).toBeLessThan(deadline);
    }
    const after = await metricsText();
    expect(writes(after)).toBeGreaterThan(writes(before));
    expect(lists(after)).toBeGreaterThan(lists(before));
    expect(after).toContain("# TYPE cc_executor_store_operation_seconds histogram");
    const sum = sample(
      after,
      'cc_executor_store_operation_seconds_sum{operation="write",method="apply"}',
    );
    expect(sum).toBeGreaterThan(0);
    expect(after).toMatch(
      /cc_executor_store_operation_seconds_bucket\{le="\+Inf",operation="write",method="apply"\} \d+/,
    );
  });
});
