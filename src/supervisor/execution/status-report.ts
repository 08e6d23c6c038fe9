/**
 * The report an execution gives after a stretch of silence (DESIGN §4 `process.status`), and
 * once when a run goes past the time runs of its command usually take (learned from history).
 */
import type { GroupSample } from "../process/resource-sampler.js";
import type { SilenceReport } from "./execution-event.js";

export interface SilenceInput {
  pid: number;
  silentMs: number;
  elapsedMs: number;
  usualMs: number | null;
  sample: GroupSample | null;
}

export function silenceReport(input: SilenceInput): SilenceReport {
  const silentSeconds = Math.floor(input.silentMs / 1000);
  const parts = [`Process is still running; no output for ${silentSeconds}s (it may be thinking).`];
  const report: SilenceReport = {
    pid: input.pid,
    pgid: input.pid,
    silentSeconds,
    message: "",
    cpuPercent: input.sample?.cpuPercent ?? null,
    rssBytes: input.sample?.rssBytes ?? null,
  };
  if (input.usualMs !== null) {
    report.estimatedSeconds = Math.ceil(input.usualMs / 100) / 10;
    if (input.elapsedMs > input.usualMs) {
      report.exceedsUsualTime = true;
      parts.push(
        `It has run ${Math.round(input.elapsedMs / 1000)}s; runs of this command usually ` +
          `finish within ${report.estimatedSeconds}s.`,
      );
    }
  }
  report.message = parts.join(" ");
  return report;
}
