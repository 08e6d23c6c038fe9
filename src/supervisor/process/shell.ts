/**
 * Which shell runs `execute` commands, and how a command line becomes argv (DESIGN §3, §5).
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export type ShellPreference = "zsh" | "bash" | "sh" | "default";

/** Tools that buffer their stdout when it is a pipe; `stdbuf -o0 -e0` makes them stream. */
const UNBUFFERED_TOOLS = new Set(["claude", "python", "python3", "node", "npm", "npx"]);

export function findExecutable(name: string, pathEnv = process.env.PATH ?? ""): string | null {
  if (name.includes("/")) return isExecutable(name) ? name : null;
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The original preferred zsh (Claude Code's shell); we follow it, falling back to bash, then sh. */
export function resolveShell(preference: ShellPreference): string {
  if (preference === "sh") return "/bin/sh";
  if (preference !== "default") {
    const found = findExecutable(preference);
    if (found) return found;
  }
  return findExecutable("zsh") ?? findExecutable("bash") ?? "/bin/sh";
}

function firstWord(command: string): string {
  const match = /^\s*(\S+)/.exec(command);
  const word = match?.[1] ?? "";
  return word.slice(word.lastIndexOf("/") + 1);
}

export interface ShellArgvOptions {
  shell: string;
  stdbufPath: string | null;
}

export function shellArgv(command: string, options: ShellArgvOptions): [string, string[]] {
  const wantsUnbuffered = options.stdbufPath !== null && UNBUFFERED_TOOLS.has(firstWord(command));
  const line = wantsUnbuffered ? `${options.stdbufPath} -o0 -e0 ${command}` : command;
  return [options.shell, ["-c", line]];
}

export function unbufferedCommand(
  file: string,
  args: string[],
  stdbufPath: string | null,
): [string, string[]] {
  const name = file.slice(file.lastIndexOf("/") + 1);
  if (stdbufPath === null || !UNBUFFERED_TOOLS.has(name)) return [file, args];
  return [stdbufPath, ["-o0", "-e0", file, ...args]];
}
