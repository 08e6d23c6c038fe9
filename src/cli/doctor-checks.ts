/**
 * What `cc-executor doctor` looks at (DESIGN §8): node, the home and its token, a running
 * server or a free port, the shell, the history store, and the Claude Code CLI with its login.
 * Each check says ok, warn (works, but something is worth knowing) or fail (something will not
 * work), with a message a person can act on.
 */
import { statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { claudeAuth, claudeVersion, findClaude } from "../claude/claude-login.js";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { readToken, TokenFileError } from "../config/token.js";
import { describeStore, openStore } from "../store/open-store.js";
import { findExecutable, resolveShell } from "../supervisor/process/shell.js";
import { probeHealth } from "./health-probe.js";
import { connectHost } from "./server-detach.js";

export type CheckLevel = "ok" | "warn" | "fail";

export interface CheckResult {
  name: string;
  level: CheckLevel;
  message: string;
}

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MIN_NODE = [20, 19];

export async function runChecks(settings: Settings): Promise<CheckResult[]> {
  return [
    checkNode(),
    checkHome(settings),
    checkToken(settings),
    await checkServer(settings),
    checkShell(settings),
    await checkStore(settings),
    checkClaude(settings),
  ];
}

export function checkNode(): CheckResult {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const supported =
    major > (MIN_NODE[0] as number) || (major === MIN_NODE[0] && minor >= (MIN_NODE[1] as number));
  return {
    name: "node",
    level: supported ? "ok" : "fail",
    message: supported
      ? `v${process.versions.node}`
      : `v${process.versions.node}; cc-executor needs ≥ 20.19`,
  };
}

function checkHome(settings: Settings): CheckResult {
  const mode = modeOf(settings.home);
  if (mode === null)
    return { name: "home", level: "ok", message: `${settings.home} (created on first use)` };
  if ((mode & 0o077) !== 0) {
    return {
      name: "home",
      level: "warn",
      message: `${settings.home} is open to other users (mode ${mode.toString(8)}); run: chmod 700 ${settings.home}`,
    };
  }
  return { name: "home", level: "ok", message: settings.home };
}

function checkToken(settings: Settings): CheckResult {
  if (settings.auth === "none") {
    return {
      name: "token",
      level: "warn",
      message: `authentication is off (${settings.authSource ?? 'auth "none" in the settings'})`,
    };
  }
  const path = homePaths(settings.home).token;
  try {
    const token = readToken(path);
    return token
      ? { name: "token", level: "ok", message: `${path} (0600)` }
      : { name: "token", level: "ok", message: `${path} is created when the server first starts` };
  } catch (error) {
    if (error instanceof TokenFileError)
      return { name: "token", level: "fail", message: error.message };
    throw error;
  }
}

async function checkServer(settings: Settings): Promise<CheckResult> {
  const info = readServerInfo(homePaths(settings.home).serverInfo);
  if (info && (await probeHealth(connectHost(info.host), info.port))) {
    return { name: "server", level: "ok", message: `running: pid ${info.pid}, ${info.url}` };
  }
  const free = await portIsFree(settings.host, settings.port);
  return free
    ? {
        name: "server",
        level: "ok",
        message: `not running; ${settings.host}:${settings.port} is free`,
      }
    : {
        name: "server",
        level: "warn",
        message:
          `not running, and ${settings.host}:${settings.port} is taken by another program; ` +
          "start it on another port: cc-executor server start --port <port> (or set CC_EXECUTOR_PORT)",
      };
}

function checkShell(settings: Settings): CheckResult {
  const shell = resolveShell(settings.shell);
  const stdbuf = findExecutable("stdbuf");
  return {
    name: "shell",
    level: "ok",
    message: `${shell}${stdbuf ? "" : " (no stdbuf: python/node output may arrive in blocks)"}`,
  };
}

async function checkStore(settings: Settings): Promise<CheckResult> {
  try {
    const store = await openStore(settings, { redisKeyPrefix: settings.redisKeyPrefix });
    try {
      const count = await store.countExecutions();
      return {
        name: "history",
        level: "ok",
        message: `${describeStore(store, settings)}, ${count} executions`,
      };
    } finally {
      await store.close();
    }
  } catch (error) {
    return { name: "history", level: "fail", message: (error as Error).message };
  }
}

export function checkClaude(settings: Settings): CheckResult {
  const claude = findClaude(settings.claudeBin, PACKAGE_ROOT);
  if (!claude) {
    return {
      name: "claude",
      // Half of what cc-executor does cannot work without it.
      level: "fail",
      message:
        "Claude Code CLI not found (needed for Claude runs): npm i -g @anthropic-ai/claude-code",
    };
  }
  const version = claudeVersion(claude.path) ?? "version unknown";
  const where = claude.local
    ? `${claude.path} (set CC_EXECUTOR_CLAUDE_BIN to use it)`
    : claude.path;
  const auth = claudeAuth(claude.path, settings.claudeAuth);
  if (auth.ok) return { name: "claude", level: "ok", message: `${version}, ${where}, ${auth.why}` };
  return {
    name: "claude",
    level: "warn",
    message:
      `${version}, ${where}, ${auth.why}: log in with \`claude\` (then /login), or set ` +
      "ANTHROPIC_API_KEY with CC_EXECUTOR_CLAUDE_AUTH=api-key",
  };
}

function modeOf(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
