/**
 * `cc-executor mcp install` (DESIGN §8, §13): the `claude mcp add …` line that registers this
 * installation's MCP server with Claude Code; `--apply` runs it. The line names the
 * `cc-executor` on PATH when that is this installation, else node and this bin by absolute path,
 * and carries the settings that make the MCP server find the same cc-executor server
 * (CC_EXECUTOR_HOME, CC_EXECUTOR_URL) when they are set.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { CliError } from "./cli-error.js";

export interface InstallFlags {
  scope?: string;
  apply?: boolean;
}

const SCOPES = new Set(["local", "user", "project"]);
const PASSED_SETTINGS = ["CC_EXECUTOR_HOME", "CC_EXECUTOR_URL"];

/** The argv of `claude` that registers the MCP server (without the leading `claude`). */
export function mcpAddArgs(
  flags: InstallFlags,
  env: NodeJS.ProcessEnv = process.env,
  binPath: string = process.argv[1] ?? "cc-executor",
): string[] {
  if (flags.scope !== undefined && !SCOPES.has(flags.scope))
    throw new CliError(`--scope: one of local, user, project (got ${flags.scope})`, 2);
  const args = ["mcp", "add"];
  if (flags.scope !== undefined) args.push("--scope", flags.scope);
  // The name before `-e`: claude's `-e` takes every word up to the next option.
  args.push("cc-executor");
  for (const name of PASSED_SETTINGS) {
    const value = env[name];
    if (value) args.push("-e", `${name}=${value}`);
  }
  args.push("--", ...serverCommand(binPath, env));
  return args;
}

function serverCommand(binPath: string, env: NodeJS.ProcessEnv): string[] {
  const onPath = findOnPath("cc-executor", env.PATH ?? "");
  if (onPath !== null && sameFile(onPath, binPath)) return ["cc-executor", "mcp"];
  return [process.execPath, realpathOr(binPath), "mcp"];
}

function findOnPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function sameFile(a: string, b: string): boolean {
  return realpathOr(a) === realpathOr(b);
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** A word as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export async function mcpInstall(flags: InstallFlags, claudeBin: string | null): Promise<void> {
  const args = mcpAddArgs(flags);
  const line = ["claude", ...args].map(shellWord).join(" ");
  if (!flags.apply) {
    process.stdout.write(
      `${line}\n# registers cc-executor with Claude Code; run it yourself, or: cc-executor mcp install --apply\n`,
    );
    return;
  }
  const bin = claudeBin ?? "claude";
  process.stdout.write(`${line}\n`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: "inherit" });
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new CliError(`${bin} not found: install Claude Code, or run the line above yourself`)
          : error,
      ),
    );
    child.once("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  if (code !== 0) throw new CliError(`claude mcp add failed (exit ${code})`, code);
}
