/**
 * History on the wire (DESIGN §4, docs/history.md): the `history.list` / `history.get` params,
 * and an execution record as they and `cc-executor history … --json|export` show it (snake_case,
 * ISO times, seconds where the protocol uses seconds). src/store/record-wire.ts builds it.
 */
import { ExecutionStatus } from "./methods.js";
import * as z from "./zod.js";

export const ExecutionKind = z.enum(["command", "claude"]);
export type ExecutionKind = z.infer<typeof ExecutionKind>;

/**
 * Where the wall-clock limit of a run came from: the request's number, the learned estimate
 * (`timeout: "auto"`), the server default when "auto" had too few samples, or none at all.
 */
export type TimeoutSource = "request" | "auto" | "auto-default" | "default" | "none";

/** `history.get` cuts output beyond this to its first and last halves, unless asked otherwise. */
export const DEFAULT_OUTPUT_BYTES = 1024 * 1024;

const EXECUTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const HistoryListParams = z._default(
  z.object({
    limit: z._default(z.int().check(z.positive(), z.lte(1000)), 50),
    offset: z._default(z.int().check(z.gte(0)), 0),
    status: z.optional(z.union([ExecutionStatus, z.array(ExecutionStatus)])),
    /** ISO 8601 time or epoch seconds. */
    since: z.optional(z.union([z.string(), z.number()])),
    kind: z.optional(ExecutionKind),
  }),
  { limit: 50, offset: 0 },
);

export const HistoryGetParams = z.object({
  execution_id: z
    .string()
    .check(z.regex(EXECUTION_ID, "execution_id must be 1-128 characters of [A-Za-z0-9._:-]")),
  /** Output beyond this is cut to its first and last halves. */
  max_output_bytes: z._default(
    z.int().check(z.positive(), z.lte(16 * 1024 * 1024)),
    DEFAULT_OUTPUT_BYTES,
  ),
});

export interface WireExecution {
  execution_id: string;
  kind: ExecutionKind;
  command: string;
  command_class: string;
  cwd: string;
  session_id: string | null;
  peer: string | null;
  host: string;
  /** Where it ran: a worker's name (DESIGN §12), or "local". */
  worker_id: string;
  status: ExecutionStatus;
  exit_code: number | null;
  signal: string | null;
  pid: number | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  /** Seconds, like `process.completed.execution_time`. */
  execution_time: number | null;
  stdout_bytes: number;
  stderr_bytes: number;
  timeout_seconds: number | null;
  timeout_source: TimeoutSource;
  idle_timeout_seconds: number | null;
  spool_dir: string | null;
  claude: {
    session_id: string | null;
    subtype: string | null;
    is_error: boolean | null;
    cost_usd: number | null;
    num_turns: number | null;
    usage: Record<string, unknown> | null;
  } | null;
  detections: Array<{ type: string; at: string; details: Record<string, unknown> }>;
  error: string | null;
}

/** An execution's output: all of it in `head`, or its first and last parts. */
export interface WireOutput {
  /** The spool files while they exist, else what the store kept, else nothing. */
  source: "spool" | "stored" | "none";
  encoding: "utf8" | "base64";
  head: string;
  /** Empty when `head` holds everything that is available. */
  tail: string;
  /** Output bytes not included between head and tail. */
  omitted_bytes: number;
}

export interface HistoryListResult {
  /** Newest first. */
  executions: WireExecution[];
  count: number;
}

export interface HistoryGetResult {
  execution: WireExecution;
  output: WireOutput;
}
