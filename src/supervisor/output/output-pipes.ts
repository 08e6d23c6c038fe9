/**
 * The sockets a child writes its stdout/stderr into, read into one reused buffer.
 *
 * `child_process` reads a child's pipes into a fresh 64 KiB buffer per read; buffers outside the
 * V8 heap are freed only when a collection finds them, so a child writing at disk speed leaves
 * tens of megabytes behind (docs/benchmarks.md, "The memory goals"). Node's `onread` option reads
 * a socket into a buffer of ours, but child_process offers no such option. Its "pipes" are Unix
 * socket pairs, though, so the server makes the pairs itself: a listener on a socket in a private
 * directory, a connection to it read with `onread`, and the accepted end handed to the child as
 * its stdout or stderr. The child sees what it always saw.
 *
 * Making a pair takes a round trip through the event loop, so some are kept ready (enough for
 * eight executions) and taking them is synchronous; the pool fills up again once starts pause.
 * When none is ready (a burst of starts) or the listener could not be made, the caller falls back
 * to ordinary pipes: the reads then allocate, nothing else changes.
 *
 * Pairing is by order: connections are accepted in the order they were made. Only this user can
 * connect (the directory is 0700), so no one else can slip a connection in between.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * One buffer serves every read of every child: a read is handed to its handler synchronously and
 * the handler copies what it keeps, so the next read, from whichever child, may overwrite it.
 */
const READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);
const REFILL_AFTER_QUIET_MS = 25;
/** A socket path longer than this does not fit `sockaddr_un`; fall back to ordinary pipes. */
const MAX_SOCKET_PATH = 100;
const DIR_PREFIX = "cc-executor-pipes-";
/** Directories of pools still open, removed at exit if nobody closed them. */
const openDirs = new Set<string>();

/** One pipe: our reading end and, once accepted, the child's end. */
export class OutputPipe {
  /** Receives each read; `data` is valid only during the call. */
  onData: (data: Buffer) => void = () => {};
  /** Our end, read into the shared buffer; 'close' after the child's end and all copies close. */
  readonly reader: net.Socket;
  /** The child's end: give it in spawn's stdio, then destroy it here. */
  childEnd: net.Socket | null = null;
  connected = false;

  constructor(path: string) {
    this.reader = net.connect({
      path,
      // Our end never writes. At EOF it is closed at once: the default would first shut down
      // its write side and wait a turn of the event loop for that, delaying the end of every
      // execution.
      allowHalfOpen: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes: number) => {
          this.onData(READ_BUFFER.subarray(0, bytes));
          return true; // keep reading; pausing is pause()'s job
        },
      },
    });
    this.reader.unref();
    this.reader.once("end", () => this.reader.destroy());
  }

  get ready(): boolean {
    return this.connected && this.childEnd !== null;
  }

  /** Destroys both ends; the promises resolve when their descriptors are closed. */
  destroy(): Array<Promise<void>> {
    return [this.reader, this.childEnd].flatMap((socket) => (socket ? [closed(socket)] : []));
  }
}

export class OutputPipePool {
  private dir: string | null = null;
  private path = "";
  private listener: net.Server | null = null;
  private listening = false;
  private readonly ready: OutputPipe[] = [];
  /** Pipes being made; `accepting` holds those whose connection is not accepted yet, in order. */
  private readonly making = new Set<OutputPipe>();
  private readonly accepting: OutputPipe[] = [];
  private closed = false;
  private refillTimer: NodeJS.Timeout | null = null;
  private readonly readyWaiters: Array<(ready: boolean) => void> = [];

  /** @param spare pipes kept ready (two per execution: stdout and stderr). */
  constructor(private readonly spare = 16) {}

  /** Starts making pipes; until some are ready, `takePair` returns null. */
  start(): void {
    if (this.listener || this.closed) return;
    try {
      removeDirsOfDeadServers();
      this.dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    } catch {
      return; // no private directory: ordinary pipes
    }
    rememberDir(this.dir);
    this.path = join(this.dir, "out.sock");
    if (this.path.length > MAX_SOCKET_PATH) return void this.close();
    const listener = net.createServer({ pauseOnConnect: true }, (socket) => this.accepted(socket));
    this.listener = listener;
    listener.on("error", () => void this.close());
    listener.listen(this.path, () => {
      this.listening = true;
      this.refill();
    });
    listener.unref();
  }

  /** Pipes for a child's stdout and stderr, or null: use ordinary pipes then. */
  takePair(): [OutputPipe, OutputPipe] | null {
    if (this.ready.length < 2) return null;
    const pair = this.ready.splice(0, 2) as [OutputPipe, OutputPipe];
    for (const pipe of pair) pipe.reader.ref();
    this.scheduleRefill();
    return pair;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /** Resolves true once a pair is ready, false if the pool closed (or could not start) first. */
  whenReady(): Promise<boolean> {
    if (this.ready.length >= 2) return Promise.resolve(true);
    if (this.closed || !this.listener) return Promise.resolve(false);
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Closes the pool; resolves once its sockets are closed. Taken pipes are their owners'. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    const closing = [...this.ready, ...this.making].flatMap((pipe) => pipe.destroy());
    this.ready.length = 0;
    this.making.clear();
    this.accepting.length = 0;
    const listener = this.listener;
    if (listener) closing.push(new Promise((resolve) => listener.close(() => resolve())));
    if (this.dir) forgetDir(this.dir);
    this.wakeWaiters(false);
    return Promise.all(closing).then(() => {});
  }

  private wakeWaiters(ready: boolean): void {
    for (const resolve of this.readyWaiters.splice(0)) resolve(ready);
  }

  /**
   * Pipes are made again once starts have paused for a moment: making one costs ~0.1 ms of the
   * event loop, which on the path of a quick command's start and end showed as +0.4 ms of its
   * round trip. A burst of starts empties the pool and gets ordinary pipes meanwhile.
   */
  private scheduleRefill(): void {
    if (this.refillTimer) {
      this.refillTimer.refresh();
      return;
    }
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.refill();
    }, REFILL_AFTER_QUIET_MS).unref();
  }

  private refill(): void {
    while (!this.closed && this.listening && this.ready.length + this.making.size < this.spare) {
      this.connect();
    }
  }

  private connect(): void {
    const pipe = new OutputPipe(this.path);
    this.making.add(pipe);
    this.accepting.push(pipe);
    pipe.reader.once("connect", () => {
      pipe.connected = true;
      this.completeIfReady(pipe);
    });
    // Before the pipe is ready a failure breaks the pairing order: stop making pipes.
    pipe.reader.on("error", () => {
      if (this.making.has(pipe)) void this.close();
    });
    // A ready pipe that broke is never given to a child (and its other end does not linger: the
    // listener closes only once every accepted socket has).
    pipe.reader.once("close", () => {
      const index = this.ready.indexOf(pipe);
      if (index < 0) return;
      this.ready.splice(index, 1);
      pipe.childEnd?.destroy();
    });
  }

  private accepted(socket: net.Socket): void {
    const pipe = this.accepting.shift();
    if (!pipe) return void socket.destroy();
    socket.unref();
    socket.on("error", () => {});
    pipe.childEnd = socket;
    this.completeIfReady(pipe);
  }

  private completeIfReady(pipe: OutputPipe): void {
    if (!pipe.ready || !this.making.delete(pipe)) return;
    this.ready.push(pipe);
    if (this.ready.length >= 2) this.wakeWaiters(true);
  }
}

function closed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  const done = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.destroy();
  return done;
}

function rememberDir(dir: string): void {
  if (openDirs.size === 0) process.once("exit", removeOpenDirs);
  openDirs.add(dir);
}

function forgetDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  openDirs.delete(dir);
  if (openDirs.size === 0) process.off("exit", removeOpenDirs);
}

function removeOpenDirs(): void {
  for (const dir of openDirs) rmSync(dir, { recursive: true, force: true });
}

/** A server killed with SIGKILL leaves its directory behind; the next one removes it. */
function removeDirsOfDeadServers(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const pid = Number.parseInt(name.slice(DIR_PREFIX.length), 10);
    if (!(pid > 0) || isAlive(pid)) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      // another user's, most likely: theirs to remove
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
