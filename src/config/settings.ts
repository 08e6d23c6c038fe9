/**
 * Every setting of the server and CLI, its default, and its environment name (DESIGN §3).
 * Sources, in rising priority: defaults < cc-executor.config.json (cwd, else home) < .env <
 * environment < CLI flags. Durations are seconds in files and env, milliseconds inside.
 */

import { LOG_LEVEL_NAMES } from "../log/logger.js";
import { MAX_DURATION_MS, TOO_LONG_MS_MESSAGE } from "../protocol/durations.js";
import * as z from "../protocol/zod.js";
import { HooksConfig } from "./hooks-config.js";

const MiB = 1024 * 1024;
const positiveInt = (fallback: number) => z._default(z.int().check(z.positive()), fallback);
const nonNegativeInt = (fallback: number) => z._default(z.int().check(z.gte(0)), fallback);
/** A timer's delay: at most what setTimeout holds (protocol/durations.ts). */
const timerMs = (fallback: number, min: 0 | 1 = 0) =>
  z._default(z.int().check(z.gte(min), z.lte(MAX_DURATION_MS, TOO_LONG_MS_MESSAGE)), fallback);

export const Settings = z.object({
  home: z.string(),
  port: z._default(z.int().check(z.gte(0), z.lte(65535)), 8003),
  host: z._default(z.string(), "127.0.0.1"),
  shell: z._default(z.enum(["zsh", "bash", "sh", "default"]), "default"),
  auth: z._default(z.enum(["token", "none"]), "token"),
  /** Where `auth: "none"` came from (a flag, the environment, which file), for the warning. */
  authSource: z.optional(z.string()),
  allowedHosts: z._default(z.array(z.string()), []),
  allowedOrigins: z._default(z.array(z.string()), []),
  /** ALLOWED_COMMANDS: when set, only these first words may run. */
  allowedCommands: z._default(z.nullable(z.array(z.string())), null),
  heartbeatIntervalMs: timerMs(20_000, 1),
  statusIntervalMs: timerMs(30_000, 1),
  maxBufferBytes: positiveInt(8 * MiB),
  maxSessions: positiveInt(100),
  /** A connection not yet a WebSocket that is idle or has not sent its headers this long is closed. */
  socketIdleTimeoutMs: timerMs(5000, 1),
  /** TCP connections open at once from one remote address; past it a 503 (counts WebSockets). */
  maxConnectionsPerAddress: positiveInt(256),
  maxConcurrent: positiveInt(16),
  maxPerConnection: positiveInt(16),
  maxQueue: nonNegativeInt(1000),
  retainEnded: nonNegativeInt(1000),
  killGraceMs: timerMs(5000),
  drainMs: timerMs(2000),
  tailFlushMs: timerMs(10),
  spoolCapBytes: positiveInt(2048 * MiB),
  spoolSegmentBytes: positiveInt(16 * MiB),
  maxPayloadBytes: positiveInt(1 * MiB),
  /** A subscriber whose unsent backlog passes this is disconnected (it can re-attach). */
  clientHardCapBytes: positiveInt(64 * MiB),
  redisUrl: z._default(z.nullable(z.string()), null),
  /** Queue mode (DESIGN §12, docs/workers.md): executions go to workers through this Redis. */
  queueUrl: z._default(z.nullable(z.string()), null),
  /** Where server and workers meet under that Redis: one prefix per deployment. */
  queuePrefix: z._default(z.string().check(z.minLength(1)), "cc-executor"),
  redisKeyPrefix: z._default(z.string().check(z.minLength(1)), "cc-executor:"),
  /** "off" keeps history in memory only (nothing written to disk or Redis). */
  history: z._default(z.enum(["on", "off"]), "on"),
  /** History older than this is deleted; 0 keeps it forever. */
  historyMaxAgeMs: nonNegativeInt(30 * 24 * 3600 * 1000),
  /** At most this many executions are kept; 0 means no limit. */
  historyMaxRows: nonNegativeInt(100_000),
  /**
   * All spools together, of running and ended executions: ended ones are deleted, oldest first,
   * to make room; when running ones alone reach it, their spools stop (docs/configuration.md).
   */
  spoolTotalCapBytes: positiveInt(10 * 1024 * MiB),
  /** Spool folders of ended executions kept at most; the oldest go first. 0: no limit. */
  spoolMaxKept: nonNegativeInt(10_000),
  /** Spool folders of executions that ended longer ago are deleted. 0: kept regardless of age. */
  spoolMaxAgeMs: nonNegativeInt(7 * 24 * 3600 * 1000),
  /** `timeout: "auto"` and `estimated_seconds` use p90 of past runs × this. */
  timeoutMargin: z._default(z.number().check(z.positive()), 1.5),
  logLevel: z._default(z.enum(LOG_LEVEL_NAMES), "info"),
  claudeBin: z._default(z.nullable(z.string()), null),
  claudeAuth: z._default(z.enum(["subscription", "api-key"]), "subscription"),
  /** Claude runs (docs/claude.md): after a `result`, how long the CLI may take to exit. */
  claudeResultGraceMs: timerMs(3000),
  /** After a `result`, how long background tasks the CLI still runs may keep it alive. */
  claudeBackgroundWaitMs: timerMs(600_000),
  /** Extra attempts after a recoverable failure, unless a request says `retries`. */
  claudeRetries: z._default(z.int().check(z.gte(0), z.lte(20)), 2),
  /** Backoff before retry n: base × 2^(n-1), at most max, times a jitter of 1…1.25. */
  claudeRetryBaseMs: timerMs(2000),
  claudeRetryMaxMs: timerMs(60_000),
  /** `wait_for_usage_reset` waits at most this long for a usage limit to reset. */
  claudeMaxUsageWaitMs: timerMs(12 * 3600 * 1000),
  /** `/ws/claude`: a run is killed after this long (DESIGN §6: 5 minutes). */
  claudeSocketTimeoutMs: timerMs(300_000, 1),
  /** CLI commands that follow work on a server: how long they try to reach it again after a drop. */
  reconnectTimeoutMs: timerMs(60_000, 1),
  /** Pre/post-execution hooks: the `hooks` key of cc-executor.config.json (docs/hooks.md). */
  hooks: z.prefault(HooksConfig, {}),
});

export type Settings = z.infer<typeof Settings>;
export type SettingsInput = z.input<typeof Settings>;

type Parser = (raw: string) => unknown;
const int: Parser = (raw) => Number.parseInt(raw, 10);
const secondsToMs: Parser = (raw) => Math.round(Number.parseFloat(raw) * 1000);
const list: Parser = (raw) =>
  raw
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
const text: Parser = (raw) => raw;

/** Environment (and .env) names → setting, with how to read the value. */
export const ENV_NAMES: Record<string, [keyof Settings, Parser]> = {
  CC_EXECUTOR_HOME: ["home", text],
  CC_EXECUTOR_PORT: ["port", int],
  CC_EXECUTOR_HOST: ["host", text],
  CC_EXECUTOR_SHELL: ["shell", text],
  CC_EXECUTOR_AUTH: ["auth", text],
  CC_EXECUTOR_ALLOWED_HOSTS: ["allowedHosts", list],
  CC_EXECUTOR_ALLOWED_ORIGINS: ["allowedOrigins", list],
  ALLOWED_COMMANDS: ["allowedCommands", list],
  WEBSOCKET_HEARTBEAT_INTERVAL: ["heartbeatIntervalMs", secondsToMs],
  CC_EXECUTOR_STATUS_INTERVAL: ["statusIntervalMs", secondsToMs],
  MAX_BUFFER_SIZE: ["maxBufferBytes", int],
  MAX_SESSIONS: ["maxSessions", int],
  CC_EXECUTOR_SOCKET_IDLE_TIMEOUT: ["socketIdleTimeoutMs", secondsToMs],
  CC_EXECUTOR_MAX_CONNECTIONS_PER_ADDRESS: ["maxConnectionsPerAddress", int],
  CC_EXECUTOR_MAX_CONCURRENT: ["maxConcurrent", int],
  CC_EXECUTOR_MAX_PER_CONNECTION: ["maxPerConnection", int],
  CC_EXECUTOR_MAX_QUEUE: ["maxQueue", int],
  CC_EXECUTOR_RETAIN_ENDED: ["retainEnded", int],
  CC_EXECUTOR_KILL_GRACE: ["killGraceMs", secondsToMs],
  CC_EXECUTOR_DRAIN: ["drainMs", secondsToMs],
  CC_EXECUTOR_SPOOL_CAP: ["spoolCapBytes", int],
  CC_EXECUTOR_MAX_PAYLOAD: ["maxPayloadBytes", int],
  REDIS_URL: ["redisUrl", text],
  CC_EXECUTOR_REDIS_PREFIX: ["redisKeyPrefix", text],
  CC_EXECUTOR_QUEUE_URL: ["queueUrl", text],
  CC_EXECUTOR_QUEUE_PREFIX: ["queuePrefix", text],
  CC_EXECUTOR_HISTORY: ["history", (raw) => raw.toLowerCase()],
  CC_EXECUTOR_HISTORY_MAX_AGE: ["historyMaxAgeMs", secondsToMs],
  CC_EXECUTOR_HISTORY_MAX_ROWS: ["historyMaxRows", int],
  CC_EXECUTOR_SPOOL_TOTAL_CAP: ["spoolTotalCapBytes", int],
  CC_EXECUTOR_SPOOL_MAX_KEPT: ["spoolMaxKept", int],
  CC_EXECUTOR_SPOOL_MAX_AGE: ["spoolMaxAgeMs", secondsToMs],
  CC_EXECUTOR_TIMEOUT_MARGIN: ["timeoutMargin", (raw) => Number.parseFloat(raw)],
  LOG_LEVEL: ["logLevel", (raw) => raw.toLowerCase()],
  CC_EXECUTOR_CLAUDE_BIN: ["claudeBin", text],
  CC_EXECUTOR_CLAUDE_AUTH: ["claudeAuth", text],
  CC_EXECUTOR_CLAUDE_RESULT_GRACE: ["claudeResultGraceMs", secondsToMs],
  CC_EXECUTOR_CLAUDE_BACKGROUND_WAIT: ["claudeBackgroundWaitMs", secondsToMs],
  CC_EXECUTOR_CLAUDE_RETRIES: ["claudeRetries", int],
  CC_EXECUTOR_CLAUDE_RETRY_BASE: ["claudeRetryBaseMs", secondsToMs],
  CC_EXECUTOR_CLAUDE_RETRY_MAX: ["claudeRetryMaxMs", secondsToMs],
  CC_EXECUTOR_CLAUDE_MAX_USAGE_WAIT: ["claudeMaxUsageWaitMs", secondsToMs],
  CC_EXECUTOR_CLAUDE_WS_TIMEOUT: ["claudeSocketTimeoutMs", secondsToMs],
  CC_EXECUTOR_RECONNECT_TIMEOUT: ["reconnectTimeoutMs", secondsToMs],
};

/** Config-file keys that hold durations in seconds, mapped to their millisecond settings. */
export const FILE_SECONDS_KEYS: Record<string, keyof Settings> = {
  heartbeatInterval: "heartbeatIntervalMs",
  statusInterval: "statusIntervalMs",
  socketIdleTimeout: "socketIdleTimeoutMs",
  killGrace: "killGraceMs",
  drain: "drainMs",
  tailFlush: "tailFlushMs",
  historyMaxAge: "historyMaxAgeMs",
  spoolMaxAge: "spoolMaxAgeMs",
  claudeResultGrace: "claudeResultGraceMs",
  claudeBackgroundWait: "claudeBackgroundWaitMs",
  claudeRetryBase: "claudeRetryBaseMs",
  claudeRetryMax: "claudeRetryMaxMs",
  claudeMaxUsageWait: "claudeMaxUsageWaitMs",
  claudeSocketTimeout: "claudeSocketTimeoutMs",
  reconnectTimeout: "reconnectTimeoutMs",
};
