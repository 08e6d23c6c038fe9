/**
 * What an execution is asked to run (ExecutionSpec: command, process, limits, who it is for),
 * the server settings it runs under, what its output pipeline and clocks get from them, and the
 * reasons it can end for — the inputs of execution.ts, apart from its state machine.
 */

import type { TaskRef } from "../../protocol/hooks.js";
import type { SpawnSpec } from "../process/group-child.js";
import type { SpoolOptions } from "../spool/spool.js";
import type { OutputSettings } from "./execution-output.js";
import type { TimerSettings } from "./execution-timers.js";

export interface ExecutionSpec {
  id: string;
  kind: "command" | "claude";
  /** What the user asked to run, for listings and history. */
  command: string;
  spawn: SpawnSpec;
  timeoutMs: number | null;
  idleTimeoutMs: number | null;
  encoding: "utf8" | "base64";
  killOnDisconnect: boolean;
  /** The connection it counts against (and dies with, with killOnDisconnect); null: none. */
  sessionId: string | null;
  /** The task-list step it is, if any (hooks and history say so). */
  task?: TaskRef | null;
  /** Where the wall-clock limit came from (request, auto, default, none), for history. */
  timeoutSource?: "request" | "auto" | "auto-default" | "default" | "none";
  /** How long runs of this command usually take (learned p90 × margin), when known. */
  usualMs?: number | null;
}

export interface ExecutionSettings {
  killGraceMs: number;
  drainMs: number;
  statusIntervalMs: number;
  windowBytes: number;
  tailFlushMs: number;
  spool: SpoolOptions | null;
}

/** Why an execution is ending: decided once, it fixes the final status. */
export type EndReason =
  | { status: "canceled" }
  | { status: "timed_out"; kind: "wall" | "idle" }
  | { status: "interrupted" }
  | { status: "completed" | "failed"; by: string };

export function outputSettings(spec: ExecutionSpec, settings: ExecutionSettings): OutputSettings {
  return {
    encoding: spec.encoding,
    windowBytes: settings.windowBytes,
    tailFlushMs: settings.tailFlushMs,
    spoolBacklogLimitBytes: Math.max(256 * 1024, Math.min(1024 * 1024, settings.windowBytes / 2)),
  };
}

export function timerSettings(spec: ExecutionSpec, settings: ExecutionSettings): TimerSettings {
  return {
    timeoutMs: spec.timeoutMs,
    idleTimeoutMs: spec.idleTimeoutMs,
    statusIntervalMs: settings.statusIntervalMs,
  };
}
