/**
 * Task lists on the wire (DESIGN §7, docs/tasks.md): the `tasks.*` params, the run as
 * `tasks.get` returns it, and the `task.*` / `tasklist.completed` notifications.
 */
import * as z from "./zod.js";

/** Run ids are made by the server (`20260203-141522-7f3a9c`) or chosen by the client. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const runId = z.string().check(z.regex(RUN_ID, "run_id must be 1-64 characters of [A-Za-z0-9._-]"));
/** An id or a unique prefix of one (at least 4 characters), as people type them. */
const runRef = z.string().check(z.minLength(1), z.maxLength(64));
const nonEmptyText = z.string().check(z.minLength(1));
const defaultTrue = z._default(z.boolean(), true);

export const TaskRunStatus = z.enum(["running", "completed", "failed", "canceled", "interrupted"]);
export type TaskRunStatusName = z.infer<typeof TaskRunStatus>;

/** The formats a list's text can be in (the file formats). */
export const TaskListTextFormat = z.enum(["markdown", "json", "yaml"]);
/** The same bound as a list file's size (4 MiB), counted in characters. */
const MAX_LIST_TEXT_CHARS = 4 * 1024 * 1024;

export const TasksRunParams = z
  .object({
    /** The list itself (the task-list schema: an object with `tasks`, or an array of tasks). */
    list: z.optional(z.unknown()),
    /** Or a task-list file on the server's machine (.md, .json, .yaml, .yml). */
    path: z.optional(nonEmptyText),
    /**
     * Or a list's text in one of the file formats, read by the server with the same parser (and
     * the same errors) as a file: what a browser pastes, which cannot run the Node parsers.
     */
    text: z.optional(z.string().check(z.maxLength(MAX_LIST_TEXT_CHARS))),
    /** The format of `text` (required with it). */
    format: z.optional(TaskListTextFormat),
    /** Relative `cwd`s of an inline list resolve here (default: the server's working directory). */
    base_dir: z.optional(nonEmptyText),
    run_id: z.optional(runId),
    /** Also send each step's process.* notifications (its output) to this connection. */
    stream_output: defaultTrue,
  })
  .check(
    z.refine(
      (params) =>
        [params.list, params.path, params.text].filter((given) => given !== undefined).length === 1,
      { message: "give the task list as `list`, `path` or `text`, one of them" },
    ),
    z.refine((params) => (params.text === undefined) === (params.format === undefined), {
      message: "`format` (markdown, json or yaml) goes with `text`, and only with it",
    }),
  );
export type TasksRunParams = z.infer<typeof TasksRunParams>;

export const TasksGetParams = z.object({
  run_id: runRef,
  /** Send this run's notifications (and its steps' output) to this connection from now on. */
  subscribe: z._default(z.boolean(), false),
  stream_output: defaultTrue,
});

export const TasksResumeParams = z.object({
  run_id: runRef,
  stream_output: defaultTrue,
});

export const TasksCancelParams = z.object({ run_id: runRef });

export const TasksListParams = z._default(
  z.object({
    limit: z._default(z.int().check(z.positive(), z.lte(1000)), 20),
    status: z.optional(z.union([TaskRunStatus, z.array(TaskRunStatus)])),
  }),
  { limit: 20 },
);

export interface TaskAttemptWire {
  /** Counted over every run and resume of the task (execution ids end in `-a<attempt>`). */
  attempt: number;
  execution_id: string;
  status: string;
  exit_code: number | null;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  cost_usd: number | null;
  error: string | null;
  /** `verify_failed`: the execution completed but the task's `verify` check did not pass. */
  reason?: "verify_failed";
}

export interface TaskWire {
  /** 1-based. */
  index: number;
  name: string | null;
  kind: "prompt" | "command";
  /** pending, running, waiting (before a retry), completed, failed, canceled, interrupted. */
  status: string;
  /** The prompt or command as written (templates not filled in). */
  text: string;
  /** As it ran last, templates filled in. */
  ran: string | null;
  cwd: string;
  /** Where the task starts in its file. */
  line: number | null;
  result: string | null;
  result_bytes: number;
  exit_code: number | null;
  cost_usd: number | null;
  claude_session_id: string | null;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  /** runs/<run-id>/task-N.md (written when the task ended). */
  file: string;
  max_attempts: number;
  attempts: TaskAttemptWire[];
}

export interface TaskRunSummaryWire {
  run_id: string;
  name: string | null;
  status: TaskRunStatusName;
  /** The file the list came from, or null (an inline list). */
  source: string | null;
  format: string;
  total: number;
  completed: number;
  failed: number;
  /** 1-based index of the next task to run, null when none is left. */
  next_task: number | null;
  cost_usd: number;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
  resumes: number;
  host: string;
  error: string | null;
  run_dir: string;
}

export interface TaskRunWire extends TaskRunSummaryWire {
  continue_on_failure: boolean;
  tasks: TaskWire[];
}

/** What `tasks.run` and `tasks.resume` answer. */
export interface TasksStartResult {
  run_id: string;
  status: "running";
  name: string | null;
  total: number;
  /** 1-based: where this start (or resume) begins. */
  start_task: number;
  run_dir: string;
}

/** What `tasks.list` answers: the newest runs first. */
export interface TasksListResult {
  runs: TaskRunSummaryWire[];
}

export interface TaskStartedParams {
  run_id: string;
  index: number;
  total: number;
  name: string | null;
  /** The name, else the first line of the prompt or command (at most 80 characters). */
  title: string;
  kind: "prompt" | "command";
  /** 1 … max_attempts, counted in this run or resume (a resume starts a task afresh). */
  attempt: number;
  max_attempts: number;
  execution_id: string;
}

export interface TaskCompletedParams {
  run_id: string;
  index: number;
  total: number;
  name: string | null;
  title: string;
  kind: "prompt" | "command";
  attempt: number;
  max_attempts: number;
  execution_id: string;
  /** The task's status after this attempt: completed, failed, waiting (a retry follows), canceled, interrupted. */
  status: string;
  /** The execution's own status (`refused` when it never started: veto, bad cwd, …). */
  attempt_status: string;
  exit_code: number | null;
  duration_ms: number | null;
  cost_usd: number | null;
  /** Cost of the whole run so far. */
  run_cost_usd: number;
  /** The first 500 characters of the result. */
  result_preview: string | null;
  result_bytes: number;
  file: string | null;
  error: string | null;
  /** Present when another attempt follows, after this many ms. */
  retry_in_ms?: number;
}

export interface TasklistCompletedParams {
  run_id: string;
  name: string | null;
  status: TaskRunStatusName;
  total: number;
  completed: number;
  failed: number;
  /** Tasks that did not run (the list stopped before them). */
  not_run: number;
  duration_ms: number;
  cost_usd: number;
  run_dir: string;
  error: string | null;
}
