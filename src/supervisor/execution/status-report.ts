/**
 * The `process.status` notification (DESIGN §4): sent after a stretch of silence, and once when
 * a run goes past the time runs of its command usually take (learned from history).
 */
import type { ProcessStatusParams } from "../../protocol/notifications.js";
import type { GroupSample } from "../process/resource-sampler.js";

export interface StatusInput {
  executionId: string;
  pid: number;
  silentMs: number;
  elapsedMs: number;
  usualMs: number | null;
  sample: GroupSample | null;
}

export function statusParams(input: StatusInput): ProcessStatusParams {
  const silentSeconds = Math.floor(input.silentMs / 1000);
  const parts = [`Process is still running; no output for ${silentSeconds}s (it may be thinking).`];
  const params: ProcessStatusParams = {
    execution_id: input.executionId,
    status: "running",
    pid: input.pid,
    pgid: input.pid,
    inactive_seconds: silentSeconds,
    message: "",
    cpu_percent: input.sample?.cpuPercent ?? null,
    rss_bytes: input.sample?.rssBytes ?? null,
  };
  if (input.usualMs !== null) {
    params.estimated_seconds = Math.ceil(input.usualMs / 100) / 10;
    if (input.elapsedMs > input.usualMs) {
      params.exceeds_usual_time = true;
      parts.push(
        `It has run ${Math.round(input.elapsedMs / 1000)}s; runs of this command usually ` +
          `finish within ${params.estimated_seconds}s.`,
      );
    }
  }
  params.message = parts.join(" ");
  return params;
}
