/**
 * A hook that is a shell command (docs/hooks.md): run with the server's shell in its own process
 * group, in the config file's folder, the context as JSON on stdin and the main facts as
 * CC_EXECUTOR_* variables. Past its timeout the whole group is killed.
 *
 * Its answer: exit 0 with nothing (or non-JSON) on stdout → go on; exit 0 with a JSON object →
 * `{"veto": "why"}`, `{"rewrite": {…}}` or, after an execution, `{"flag": "what"}`; exit 2 →
 * veto, stderr the reason (as Claude Code's own hooks do). Any other exit is a failure of the
 * hook: reported, and the execution goes on.
 */
import { spawn } from "node:child_process";
import type { HookDefinition } from "../config/hooks-config.js";
import { decisionOf } from "./hook-decision.js";
import {
  type Hook,
  type HookContext,
  type HookDecision,
  HookFailure,
  type HookPhase,
} from "./hook-types.js";

const MAX_STDOUT_BYTES = 1024 * 1024;
const MAX_STDERR_BYTES = 8 * 1024;
/** Environment values longer than this are cut (the whole text is on stdin). */
const MAX_ENV_VALUE = 4096;

export interface ShellHookOptions {
  shellPath: string;
  /** Where the hook runs (the config file's folder). */
  cwd: string;
  defaultTimeoutMs: number;
}

export function shellHook(
  definition: HookDefinition & { command: string },
  phase: HookPhase,
  options: ShellHookOptions,
): Hook {
  const timeoutMs = definition.timeout ? definition.timeout * 1000 : options.defaultTimeoutMs;
  return {
    name: definition.name ?? definition.command,
    type: "shell",
    phase,
    kinds: definition.kinds ?? null,
    timeoutMs,
    describe: definition.command,
    run: (context) => runShellHook(definition.command, context, timeoutMs, options),
  };
}

function runShellHook(
  command: string,
  context: HookContext,
  timeoutMs: number,
  options: ShellHookOptions,
): Promise<HookDecision> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.shellPath, ["-c", command], {
      cwd: options.cwd,
      env: hookEnv(context),
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let stdoutBytes = 0;
    let stderrBytes = 0;
    let timedOut = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.stdout.on("data", (data: Buffer) => {
      stdoutBytes += data.length;
      if (stdoutBytes <= MAX_STDOUT_BYTES) stdout.push(data);
    });
    child.stderr.on("data", (data: Buffer) => {
      if (stderrBytes < MAX_STDERR_BYTES) stderr.push(data);
      stderrBytes += data.length;
    });
    // A hook that does not read its stdin closes it early: that is fine.
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(context));
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new HookFailure(`could not start: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      killGroup(); // nothing it started outlives it
      const errText = Buffer.concat(stderr).toString("utf8").slice(0, MAX_STDERR_BYTES).trim();
      if (timedOut) {
        reject(new HookFailure(`no answer within ${timeoutMs / 1000} s; killed`, "timeout"));
      } else if (code === 2) {
        resolve({ veto: errText || "vetoed (the hook exited with code 2)" });
      } else if (code !== 0) {
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new HookFailure(`${how}${errText ? `: ${lastLine(errText)}` : ""}`));
      } else if (stdoutBytes > MAX_STDOUT_BYTES) {
        reject(new HookFailure(`wrote more than ${MAX_STDOUT_BYTES} bytes to stdout`, "invalid"));
      } else {
        resolve(answerOf(Buffer.concat(stdout).toString("utf8").trim()));
      }
    });
  });
}

/** JSON on stdout is the hook's answer; any other text is just output. */
function answerOf(text: string): HookDecision {
  if (!text.startsWith("{")) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HookFailure(`stdout is not valid JSON: ${(error as Error).message}`, "invalid");
  }
  return decisionOf(value);
}

function hookEnv(context: HookContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CC_EXECUTOR_TOKEN;
  const set = (name: string, value: unknown) => {
    if (value === undefined || value === null) return;
    env[`CC_EXECUTOR_${name}`] = String(value).slice(0, MAX_ENV_VALUE);
  };
  set("HOOK_PHASE", context.phase);
  set("KIND", context.kind);
  set("EXECUTION_ID", context.execution_id);
  set("SESSION_ID", context.session_id);
  set("TASK_RUN_ID", context.task?.run_id);
  set("TASK_INDEX", context.task?.index);
  if (context.phase === "pre") {
    const request = context.request;
    set("COMMAND", request.command ?? request.prompt);
    set("CWD", request.cwd ?? process.cwd());
  } else {
    set("COMMAND", context.command);
    set("CWD", context.cwd);
    set("STATUS", context.completion.status);
    set("EXIT_CODE", context.completion.exit_code);
  }
  return env;
}

function lastLine(text: string): string {
  const lines = text.split("\n").filter((line) => line.trim());
  return (lines[lines.length - 1] ?? text).slice(0, 500);
}
