/**
 * A child started as the leader of its own process group, with stdin closed (DESIGN §5).
 *
 * It is over when the leader has exited AND its stdout/stderr have closed. When descendants keep
 * the pipes open after the leader is gone, the group is killed after `drainMs`; if something that
 * left the group (setsid) still holds them a moment later, our ends are closed so nothing hangs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type SignalName, signalGroup } from "./process-group.js";

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface GroupChildHandlers {
  onStdout(data: Buffer): void;
  onStderr(data: Buffer): void;
  /** The leader exited (its pipes may still be open). */
  onExit(exitCode: number | null, signal: string | null): void;
  /** Leader exited and pipes closed: no more output will come. */
  onEnd(): void;
  /** Spawning failed (no such cwd or shell); onEnd follows. */
  onSpawnError(error: Error): void;
}

const ABANDON_PIPES_AFTER_MS = 1000;

export class GroupChild {
  readonly pid: number;
  private openPipes = 2;
  private exited = false;
  private ended = false;
  private drainTimer: NodeJS.Timeout | null = null;
  /** Null when spawn threw before any process existed. */
  private readonly child: ChildProcess | null;

  private constructor(
    child: ChildProcess | null,
    private readonly handlers: GroupChildHandlers,
    private readonly drainMs: number,
  ) {
    this.child = child;
    this.pid = child?.pid ?? -1;
  }

  static spawn(spec: SpawnSpec, handlers: GroupChildHandlers, drainMs: number): GroupChild {
    let child: ChildProcess;
    try {
      child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (error) {
      // Node throws at once for some arguments (a NUL byte in argv or env). Report it the way
      // an asynchronous spawn error is reported, or the execution would never end.
      const failed = new GroupChild(null, handlers, drainMs);
      setImmediate(() => failed.spawnFailed(error as Error));
      return failed;
    }
    const groupChild = new GroupChild(child, handlers, drainMs);
    groupChild.wire();
    return groupChild;
  }

  get pgid(): number {
    return this.pid;
  }

  get running(): boolean {
    return !this.exited && this.pid > 0;
  }

  signal(signal: SignalName): boolean {
    if (this.pid <= 0 || this.ended) return false;
    return signalGroup(this.pgid, signal);
  }

  /** Stops reading output (the spool is behind); the child blocks on a full pipe meanwhile. */
  pauseOutput(): void {
    this.child?.stdout?.pause();
    this.child?.stderr?.pause();
  }

  resumeOutput(): void {
    this.child?.stdout?.resume();
    this.child?.stderr?.resume();
  }

  private spawnFailed(error: Error): void {
    this.exited = true;
    this.openPipes = 0;
    this.handlers.onSpawnError(error);
    this.maybeEnd();
  }

  private wire(): void {
    const { handlers } = this;
    const child = this.child as ChildProcess;
    child.stdout?.on("data", handlers.onStdout);
    child.stderr?.on("data", handlers.onStderr);
    for (const pipe of [child.stdout, child.stderr]) {
      pipe?.on("error", () => {});
      pipe?.once("close", () => this.pipeClosed());
    }
    child.once("error", (error) => {
      if (this.pid > 0 && !this.exited) return; // a signal error on a live child; exit follows
      this.exited = true;
      handlers.onSpawnError(error);
      this.maybeEnd();
    });
    child.once("exit", (code, signal) => this.leaderExited(code, signal));
  }

  private leaderExited(code: number | null, signal: string | null): void {
    this.exited = true;
    this.handlers.onExit(code, signal);
    if (this.openPipes > 0) {
      this.drainTimer = setTimeout(() => this.drain(), this.drainMs);
    }
    this.maybeEnd();
  }

  private drain(): void {
    signalGroup(this.pgid, "SIGKILL");
    this.drainTimer = setTimeout(() => {
      this.child?.stdout?.destroy();
      this.child?.stderr?.destroy();
    }, ABANDON_PIPES_AFTER_MS);
  }

  private pipeClosed(): void {
    this.openPipes--;
    this.maybeEnd();
  }

  private maybeEnd(): void {
    if (this.ended || !this.exited || this.openPipes > 0) return;
    this.ended = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    // Sweep members that outlived the leader with their output redirected elsewhere.
    if (this.pid > 0) signalGroup(this.pgid, "SIGKILL");
    this.handlers.onEnd();
  }
}
