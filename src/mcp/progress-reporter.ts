/**
 * `notifications/progress` for one tool call (DESIGN §13). Claude Code keeps a call alive for as
 * long as progress arrives and shows each message on the running call, so: one at least every
 * `intervalMs` (10 s by default) while the work runs, and one at once when something happens (a
 * task starts or ends). The spec requires `progress` to increase with every notification; a
 * value that would not is raised just above the last one.
 */

/** Where a progress notification goes: `extra.sendNotification` of the request, bound. */
export type SendProgress = (params: {
  progress: number;
  total?: number;
  message: string;
}) => Promise<void>;

export interface ProgressSnapshot {
  progress: number;
  total?: number;
  message: string;
}

/** Claude Code cuts the line it shows on a running tool call at 200 characters. */
export const MAX_MESSAGE_CHARS = 199;

export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

export class ProgressReporter {
  private last = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: SendProgress | null,
    private readonly snapshot: () => ProgressSnapshot,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.send === null || this.timer !== null) return;
    this.report();
    this.timer = setInterval(() => this.report(), this.intervalMs);
  }

  /** Something happened: tell the client now (the interval goes on as before). */
  report(): void {
    if (this.send === null) return;
    const { progress, total, message } = this.snapshot();
    // Float steps: a long run's share moves in small increments; keep it strictly rising.
    const value = progress > this.last ? progress : this.last + 1e-6;
    this.last = value;
    const params: { progress: number; total?: number; message: string } = {
      progress: value,
      message: clip(message),
    };
    if (total !== undefined) params.total = total;
    // A client that went away cannot be told; the work goes on regardless.
    this.send(params).catch(() => {});
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

export function clip(message: string, max = MAX_MESSAGE_CHARS): string {
  const flat = message.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * The progress interval: `CC_EXECUTOR_MCP_PROGRESS_INTERVAL_MS` (tests shorten it; 50 ms at
 * least), never longer than the 10 s the contract promises.
 */
export function progressIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.CC_EXECUTOR_MCP_PROGRESS_INTERVAL_MS);
  if (!Number.isFinite(value) || value <= 0) return DEFAULT_PROGRESS_INTERVAL_MS;
  return Math.min(Math.max(value, 50), DEFAULT_PROGRESS_INTERVAL_MS);
}
