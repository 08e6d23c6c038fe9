/**
 * Runs the `cc-executor` command as shipped (`node bin/cc-executor.mjs …`, which runs the bundle
 * in dist/command/) as a child process with its own CC_EXECUTOR_HOME, and lets tests wait for what
 * it prints and how it exits. Needs a current `dist/` (`npm run build`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll } from "vitest";

export const CLI_PATH = fileURLToPath(new URL("../../bin/cc-executor.mjs", import.meta.url));
const BUNDLE_PATH = fileURLToPath(new URL("../../dist/command/main.js", import.meta.url));

export function requireBuiltCli(): void {
  if (!existsSync(BUNDLE_PATH)) {
    throw new Error(`${BUNDLE_PATH} is missing: run "npm run build" first`);
  }
}

/**
 * For a test file of CLI runs: requires the built CLI, and gives a function that makes a fresh
 * temporary home; every home made is removed after each test.
 */
export function cliHomes(prefix: string): () => string {
  const homes: string[] = [];
  beforeAll(() => requireBuiltCli());
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });
  return () => {
    const home = mkdtempSync(join(tmpdir(), prefix));
    homes.push(home);
    return home;
  };
}

/** Settings that could point the CLI at some other server, home or store. */
const LEAKY_ENV = /^(CC_EXECUTOR_|REDIS_URL$|LOG_LEVEL$|ALLOWED_COMMANDS$|MAX_|WEBSOCKET_)/;

/** The test process's environment without cc-executor settings, plus a home and bash. */
export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!LEAKY_ENV.test(name)) env[name] = value;
  }
  return { ...env, CC_EXECUTOR_HOME: home, CC_EXECUTOR_SHELL: "bash", ...extra };
}

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as another user (the test must run as root). */
  uid?: number;
  gid?: number;
  /**
   * Run on a real terminal: a pty made by util-linux `script`, whose output (stdout and stderr of
   * the CLI together, as a terminal shows them, with `\r\n` line ends) is `stdout`.
   */
  pty?: boolean;
}

const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

export class CliProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<CliExit>;
  private readonly child: ChildProcess;
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  constructor(args: string[], options: CliOptions) {
    const argv = [process.execPath, CLI_PATH, ...args];
    const [file, ...rest] = options.pty
      ? ["script", "-qfec", argv.map(shellQuote).join(" "), "/dev/null"]
      : argv;
    this.child = spawn(file as string, rest, {
      env: options.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      this.stdout += text;
      this.check();
    });
    this.child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      this.stderr += text;
      this.check();
    });
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once stdout matches `pattern`; rejects if the process ends first. */
  async waitForStdout(pattern: RegExp): Promise<void> {
    const seen = new Promise<void>((resolve) => {
      const test = () => pattern.test(this.stdout);
      if (test()) resolve();
      else this.waiters.push({ test, resolve });
    });
    const ended = this.exited.then((exit) => {
      if (!pattern.test(exit.stdout))
        throw new Error(
          `CLI exited (${exit.code ?? exit.signal}) before printing ${pattern}\n` +
            `stdout: ${exit.stdout}\nstderr: ${exit.stderr}`,
        );
    });
    await Promise.race([seen, ended]);
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  private check(): void {
    for (const waiter of [...this.waiters]) {
      if (!waiter.test()) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

/** Runs the CLI to its end. */
export function runCli(args: string[], options: CliOptions): Promise<CliExit> {
  return new CliProcess(args, options).exited;
}

/** Pids of live (non-zombie) processes in process group `pgid`. */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
