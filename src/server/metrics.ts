/**
 * `/metrics` (Prometheus text format, token required): what the server has run and is running,
 * from prom-client with a registry of this server's own (several servers in one process — the
 * tests — do not mix their counts). Counts are fed by the engine's observer; gauges are read
 * when scraped.
 */
import client from "prom-client";
import type { ExecutionEngine } from "../engine/engine.js";
import type { ExecutionEvent, ExecutionHandle } from "../engine/execution-handle.js";

export interface MetricsSources {
  engine: ExecutionEngine;
  /** Open client connections (`/ws/mcp` and `/ws/claude`). */
  connections(): number;
  /** Bytes the spool holds now, across executions. */
  spoolBytes(): number;
  /** How long store calls take (fed before the registry exists: storeLatencyHistogram). */
  storeLatency?: StoreLatency;
}

export type StoreLatency = client.Histogram<"operation" | "method">;

/**
 * `cc_executor_store_operation_seconds{operation="write"|"read",method}`: the history store's
 * calls (SQLite, Redis or memory) as they took. Writes are `apply` (the write batcher's
 * batches) and `prune`; reads are the queries (history, journal, task runs, estimator).
 */
export function storeLatencyHistogram(): StoreLatency {
  return new client.Histogram({
    name: "cc_executor_store_operation_seconds",
    help: "How long history store calls took, by operation (write, read) and method.",
    labelNames: ["operation", "method"] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [],
  });
}

export class ServerMetrics {
  readonly registry = new client.Registry();
  private readonly executions = new client.Counter({
    name: "cc_executor_executions_total",
    help: "Executions that ended, by kind and final status.",
    labelNames: ["kind", "status"] as const,
    registers: [this.registry],
  });
  private readonly durations = new client.Histogram({
    name: "cc_executor_execution_duration_seconds",
    help: "How long ended executions ran, by kind.",
    labelNames: ["kind"] as const,
    buckets: [0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 4 * 3600],
    registers: [this.registry],
  });
  private readonly outputBytes = new client.Counter({
    name: "cc_executor_output_bytes_total",
    help: "Output bytes of ended executions, by stream.",
    labelNames: ["stream"] as const,
    registers: [this.registry],
  });
  private readonly claudeCost = new client.Counter({
    name: "cc_executor_claude_cost_usd_total",
    help: "What Claude runs cost, as the CLI reported it (all attempts).",
    registers: [this.registry],
  });
  private readonly claudeTokens = new client.Counter({
    name: "cc_executor_claude_tokens_total",
    help: "Tokens of Claude runs, by type (input, output, cache_read_input, …).",
    labelNames: ["type"] as const,
    registers: [this.registry],
  });
  private readonly retries = new client.Counter({
    name: "cc_executor_claude_retries_total",
    help: "Claude attempts retried, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    const { engine } = sources;
    const gauge = (name: string, help: string, read: () => number) =>
      new client.Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge("cc_executor_executions_running", "Executions running now.", () => engine.load().running);
    gauge(
      "cc_executor_executions_queued",
      "Executions waiting for a slot.",
      () => engine.load().queued,
    );
    gauge("cc_executor_connections", "Open client connections.", sources.connections);
    gauge("cc_executor_spool_bytes", "Bytes held in spool files now.", sources.spoolBytes);
    if (sources.storeLatency) this.registry.registerMetric(sources.storeLatency);
    client.collectDefaultMetrics({ register: this.registry, prefix: "cc_executor_" });
    engine.observe({
      created: (execution) => this.followRetries(execution),
      ended: (execution) => this.ended(execution),
    });
  }

  /** The text to serve, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private followRetries(execution: ExecutionHandle): void {
    if (execution.spec.kind !== "claude") return;
    execution.addListener({
      event: (event: ExecutionEvent) => {
        if (event.type === "claude" && event.notice.kind === "retry") {
          this.retries.inc({ reason: event.notice.reason });
        }
      },
    });
  }

  private ended(execution: ExecutionHandle): void {
    const result = execution.result;
    if (!result) return;
    const { kind } = execution.spec;
    this.executions.inc({ kind, status: result.status });
    this.durations.observe({ kind }, result.durationMs / 1000);
    this.outputBytes.inc({ stream: "stdout" }, result.stdoutBytes);
    this.outputBytes.inc({ stream: "stderr" }, result.stderrBytes);
    const claude = result.claude;
    if (!claude) return;
    if (claude.costUsd) this.claudeCost.inc(claude.costUsd);
    for (const [key, value] of Object.entries(claude.usage ?? {})) {
      if (typeof value === "number" && key.endsWith("_tokens") && value > 0) {
        this.claudeTokens.inc({ type: key.slice(0, -"_tokens".length) }, value);
      }
    }
  }
}
