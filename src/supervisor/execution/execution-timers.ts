/**
 * The clocks of one execution: wall-clock timeout, idle timeout and the "still running"
 * status every `statusIntervalMs` of silence (DESIGN §4, §5). Output only stamps `lastOutputMs`;
 * timers re-check it when they fire instead of being reset per chunk, which keeps the hot path
 * free of timer work. Paused time counts for none of them.
 *
 * Limits past what setTimeout holds (2^31−1 ms) are refused where they come in; should one get
 * here anyway (a learned `timeout: "auto"`), a timer waits at most that long and re-arms for the
 * rest, instead of firing at once.
 */
import { MAX_DURATION_MS } from "../../protocol/durations.js";

/** A delay setTimeout keeps as given: never negative, never past 2^31−1 ms. */
function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_DURATION_MS);
}

export interface TimerSettings {
  timeoutMs: number | null;
  idleTimeoutMs: number | null;
  statusIntervalMs: number;
}

export interface TimerHandlers {
  onTimeout(kind: "wall" | "idle"): void;
  onSilence(silentMs: number): void;
}

export class ExecutionTimers {
  lastOutputMs = performance.now();
  private wallRemainingMs: number | null;
  private wallArmedAtMs = 0;
  private wall: NodeJS.Timeout | null = null;
  private idle: NodeJS.Timeout | null = null;
  private status: NodeJS.Timeout | null = null;
  private pausedAtMs: number | null = null;
  private lastStatusMs = 0;

  constructor(
    private readonly settings: TimerSettings,
    private readonly handlers: TimerHandlers,
  ) {
    this.wallRemainingMs = settings.timeoutMs;
  }

  start(): void {
    this.lastOutputMs = performance.now();
    this.arm();
  }

  sawOutput(): void {
    this.lastOutputMs = performance.now();
  }

  pause(): void {
    if (this.pausedAtMs !== null) return;
    this.pausedAtMs = performance.now();
    if (this.wall && this.wallRemainingMs !== null) {
      this.wallRemainingMs -= this.pausedAtMs - this.wallArmedAtMs;
    }
    this.clear();
  }

  resume(): void {
    if (this.pausedAtMs === null) return;
    const now = performance.now();
    const pausedMs = now - this.pausedAtMs;
    this.pausedAtMs = null;
    // Shift the silence clocks past the pause. Output read while paused (it was already in the
    // pipe) restarts silence at the resume, not `pausedMs` after it.
    this.lastOutputMs = Math.min(this.lastOutputMs + pausedMs, now);
    this.lastStatusMs = Math.min(this.lastStatusMs + pausedMs, now);
    this.arm();
  }

  stop(): void {
    this.clear();
  }

  private arm(): void {
    if (this.wallRemainingMs !== null) this.armWall(this.wallRemainingMs);
    // Silence before a pause still counts: arm for what is left of each limit, not all of it.
    const now = performance.now();
    const idleLimit = this.settings.idleTimeoutMs;
    if (idleLimit !== null) this.armIdle(Math.max(0, idleLimit - (now - this.lastOutputMs)));
    const quietSinceMs = Math.max(this.lastOutputMs, this.lastStatusMs);
    this.armStatus(Math.max(0, this.settings.statusIntervalMs - (now - quietSinceMs)));
  }

  private armWall(remainingMs: number): void {
    this.wallRemainingMs = remainingMs;
    this.wallArmedAtMs = performance.now();
    this.wall = setTimeout(() => {
      if (remainingMs <= MAX_DURATION_MS) return this.handlers.onTimeout("wall");
      this.armWall(remainingMs - (performance.now() - this.wallArmedAtMs));
    }, timerDelay(remainingMs));
  }

  private armIdle(delayMs: number): void {
    this.idle = setTimeout(() => {
      const limit = this.settings.idleTimeoutMs as number;
      const silentMs = performance.now() - this.lastOutputMs;
      if (silentMs >= limit) this.handlers.onTimeout("idle");
      else this.armIdle(limit - silentMs);
    }, timerDelay(delayMs));
  }

  private armStatus(delayMs: number): void {
    this.status = setTimeout(() => {
      const interval = this.settings.statusIntervalMs;
      const now = performance.now();
      // Silence counts from the later of the last output and the last status we sent.
      const quietSinceMs = Math.max(this.lastOutputMs, this.lastStatusMs);
      if (now - quietSinceMs >= interval) {
        this.lastStatusMs = now;
        this.handlers.onSilence(now - this.lastOutputMs);
        this.armStatus(interval);
      } else {
        this.armStatus(interval - (now - quietSinceMs));
      }
    }, timerDelay(delayMs));
    this.status.unref();
  }

  private clear(): void {
    for (const timer of [this.wall, this.idle, this.status]) if (timer) clearTimeout(timer);
    this.wall = this.idle = this.status = null;
  }
}
