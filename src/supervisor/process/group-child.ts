/**
 * A child started as the leader of its own process group, with stdin closed (DESIGN §5).
 *
 * It is over when the leader has exited AND its stdout/stderr have closed. When descendants keep
 * the pipes open after the leader is gone, the group is killed after `drainMs`; if something that
 * left the group (setsid) still holds them a moment later, our ends are closed so nothing hangs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import type { Readable } from "node:stream";
import type { OutputPipe, OutputPipePool } from "../output/output-pipes.js";
import { type SignalName, signalGroup } from "./process-group.js";

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface GroupChildHandlers {
  /** A read of the child's stdout; `data` is valid only during the call (copy what you keep). */
  onStdout(data: Buffer): void;
  /** A read of the child's stderr; as onStdout. */
  onStderr(data: Buffer): void;
  /** The leader exited (its pipes may still be open). */
  onExit(exitCode: number | null, signal: string | null): void;
  /** Leader exited and pipes closed: no more output will come. */
  onEnd(): void;
  /** Spawning failed (no such cwd or shell); onEnd follows. */
  onSpawnError(error: Error): void;
}

const ABANDON_PIPES_AFTER_MS = 1000;

/**
 * Node names the program in every spawn error ("spawn /bin/bash ENOENT"), also when it was the
 * cwd that could not be entered (e.g. removed while the execution waited in the queue): then
 * the error says so.
 */
function explainSpawnError(error: Error, cwd: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== "ENOENT" && code !== "ENOTDIR") return error;
  let problem: string;
  try {
    if (statSync(cwd).isDirectory()) return error;
    problem = "is not a directory";
  } catch {
    problem = "does not exist";
  }
  return new Error(`cwd ${problem}: ${cwd} (${error.message})`, { cause: error });
}

export class GroupChild {
  readonly pid: number;
  private openPipes: number;
  private exited = false;
  private ended = false;
  private drainTimer: NodeJS.Timeout | null = null;
  private paused = false;
  private abandonWhenResumed = false;
  /** Null when spawn threw before any process existed. */
  private readonly child: ChildProcess | null;
  /** Our ends of the child's stdout and stderr. */
  private readonly outputs: Readable[];

  private constructor(
    child: ChildProcess | null,
    outputs: Readable[],
    private readonly handlers: GroupChildHandlers,
    private readonly drainMs: number,
  ) {
    this.child = child;
    this.outputs = outputs;
    this.openPipes = outputs.length;
    this.pid = child?.pid ?? -1;
  }

  /**
   * With a pool, the child writes into pipes read into one reused buffer (output-pipes.ts);
   * without one, or when none is ready, into ordinary pipes.
   */
  static spawn(
    spec: SpawnSpec,
    handlers: GroupChildHandlers,
    drainMs: number,
    pipes: OutputPipePool | null = null,
  ): GroupChild {
    const pair = pipes?.takePair() ?? null;
    let child: ChildProcess;
    try {
      child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ["ignore", pair?.[0].childEnd ?? "pipe", pair?.[1].childEnd ?? "pipe"],
      });
    } catch (error) {
      // Node throws at once for some arguments (a NUL byte in argv or env). Report it the way
      // an asynchronous spawn error is reported, or the execution would never end.
      for (const pipe of pair ?? []) void pipe.destroy();
      const failed = new GroupChild(null, [], handlers, drainMs);
      setImmediate(() => failed.spawnFailed(error as Error));
      return failed;
    }
    const groupChild = pair
      ? new GroupChild(child, handOver(pair, handlers), handlers, drainMs)
      : new GroupChild(child, ordinaryPipes(child, handlers), handlers, drainMs);
    groupChild.wire(spec.cwd);
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
    this.paused = true;
    for (const output of this.outputs) output.pause();
  }

  resumeOutput(): void {
    this.paused = false;
    for (const output of this.outputs) output.resume();
    // Pipes kept open by output we had not read yet were not abandoned; read it first.
    if (this.abandonWhenResumed) this.armAbandon();
  }

  private spawnFailed(error: Error): void {
    this.exited = true;
    this.openPipes = 0;
    this.handlers.onSpawnError(error);
    this.maybeEnd();
  }

  private wire(cwd: string): void {
    const { handlers } = this;
    const child = this.child as ChildProcess;
    for (const output of this.outputs) {
      output.on("error", () => {});
      output.once("close", () => this.pipeClosed());
    }
    child.once("error", (error) => {
      if (this.pid > 0 && !this.exited) return; // a signal error on a live child; exit follows
      this.exited = true;
      handlers.onSpawnError(explainSpawnError(error, cwd));
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
    this.armAbandon();
  }

  private armAbandon(): void {
    this.abandonWhenResumed = false;
    this.drainTimer = setTimeout(() => {
      // While we are not reading, the pipes may be open only because of what waits in them.
      if (this.paused) this.abandonWhenResumed = true;
      else for (const output of this.outputs) output.destroy();
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

/** The pool's pipes: the child has its own copies of their ends now, so ours are closed. */
function handOver(pair: [OutputPipe, OutputPipe], handlers: GroupChildHandlers): Readable[] {
  const [stdout, stderr] = pair;
  stdout.onData = handlers.onStdout;
  stderr.onData = handlers.onStderr;
  for (const pipe of pair) pipe.childEnd?.destroy();
  return [stdout.reader, stderr.reader];
}

function ordinaryPipes(child: ChildProcess, handlers: GroupChildHandlers): Readable[] {
  const { stdout, stderr } = child;
  if (!stdout || !stderr) return [];
  stdout.on("data", handlers.onStdout);
  stderr.on("data", handlers.onStderr);
  return [stdout, stderr];
}
