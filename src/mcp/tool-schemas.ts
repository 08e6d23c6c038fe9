/**
 * The tools' input and output schemas (DESIGN §13: names and argument names are the contract).
 * The SDK turns them into the JSON Schemas a model reads, descriptions included, and checks
 * arguments against them; a mismatch comes back as an `isError` result naming the field.
 *
 * Rules that span fields (a task is a `prompt` or a `command`, one of them) are checked by the
 * tools themselves, so the message can say what to do instead of quoting a schema.
 */
import { ExecutionStatus } from "../protocol/methods.js";
import * as z from "../protocol/zod.js";

const text = (description: string) => z.string().check(z.describe(description));
const optionalText = (description: string) => z.optional(text(description));

/** What `list_runs` may filter on: an execution's statuses and a task run's own. */
const STATUS_NAMES = [...ExecutionStatus.options, "waiting", "pending"] as const;

// ---------------------------------------------------------------------------------------------
// Inputs

export const RunTaskInput = {
  prompt: optionalText(
    "A task for a fresh Claude Code process (`claude -p`, new context window). Write it as a complete brief: it sees nothing of this conversation.",
  ),
  command: optionalText(
    "A shell command to run instead of a prompt (e.g. `npm test`). Give `prompt` or `command`, not both.",
  ),
  cwd: optionalText(
    "Working directory of the task (absolute, or relative to this MCP server's directory). Default: this MCP server's directory.",
  ),
  timeout_seconds: z.optional(
    z
      .number()
      .check(
        z.positive(),
        z.describe("Wall-clock limit; the task is stopped and reported timed_out after it."),
      ),
  ),
  model: optionalText("Claude model for a prompt task (e.g. `sonnet`, `opus`)."),
  allowed_tools: z.optional(
    z
      .array(z.string())
      .check(
        z.describe(
          "Tools the Claude task may use without asking, e.g. [`Read`, `Write`, `Edit`, `Bash`]. Without tools that edit, it can only answer.",
        ),
      ),
  ),
  verify_uuid: z.optional(
    z
      .boolean()
      .check(
        z.describe(
          "Prompt tasks: append a fresh UUID the answer must end with; a missing UUID fails (and retries) the attempt. Guards against answers that never ran.",
        ),
      ),
  ),
  verify: optionalText(
    "A shell command run in the task's cwd after it completed (e.g. `npm test`, `test -s out.md`), with $CC_EXECUTOR_TASK_RESULT_FILE holding the task's result. A non-zero exit makes the result an error with the check's output: the task is done only when the check passes.",
  ),
};

/** One task of a list, as docs/tasks.md has it; the server checks it in full. */
const TaskItem = z.union([
  z.string().check(z.describe("A prompt.")),
  z.looseObject({
    name: optionalText("Shown in progress and status."),
    prompt: optionalText("A Claude task (give prompt or command)."),
    command: optionalText("A shell command task."),
    cwd: optionalText("Working directory."),
    timeout: z.optional(
      z.union([z.number(), z.string()]).check(z.describe("Seconds, or `90s`, `15m`, `2h`.")),
    ),
    idle_timeout: z.optional(
      z.union([z.number(), z.string()]).check(z.describe("Limit on time without output.")),
    ),
    model: optionalText("Claude model."),
    allowed_tools: z.optional(z.array(z.string())),
    permission_mode: optionalText("e.g. `acceptEdits`."),
    retries: z.optional(z.int().check(z.describe("Further attempts of a failed task (0–20)."))),
    verify_uuid: z.optional(z.boolean()),
    verify: optionalText(
      "A check run after each attempt that completed; non-zero fails the attempt, and `retries` apply. $CC_EXECUTOR_TASK_RESULT_FILE holds the attempt's result.",
    ),
    continue_on_failure: z.optional(z.boolean()),
    env: z.optional(z.record(z.string(), z.string())),
  }),
]);

export const RunTaskListInput = {
  tasks: z.optional(
    z
      .array(TaskItem)
      .check(
        z.describe(
          "The tasks, run strictly in order, each a fresh process. A prompt can use earlier results: `{{previous.result}}`, `{{tasks.N.result}}` (N counts from 1), `{{tasks.N.file}}` (a file with the whole result). Give `tasks` or `file`.",
        ),
      ),
  ),
  file: optionalText(
    "A task-list file (.md with `Task N:` items or `## Task` headings, .json, .yaml), absolute or relative to this MCP server's directory.",
  ),
  continue_on_failure: z.optional(
    z
      .boolean()
      .check(
        z.describe(
          "With `tasks`: go on after a failed task (default: the list stops at it). For a file, set it in the file.",
        ),
      ),
  ),
  cwd: optionalText(
    "With `tasks`: the folder relative task cwds resolve against and the default cwd (default: this MCP server's directory). A file's tasks run relative to the file's folder.",
  ),
};

export const GetTaskRunInput = {
  run_id: text("The run id from run_task_list or start_task_list (or a unique prefix of it)."),
  wait: z.optional(
    z
      .boolean()
      .check(
        z.describe(
          "Block until the run ends, with progress (re-attach to a run started earlier or by another session). Default: answer at once.",
        ),
      ),
  ),
};

export const CancelInput = {
  execution_id: optionalText("The execution to stop (from run_task or list_runs)."),
  run_id: optionalText("The task-list run to stop (from start_task_list or list_runs)."),
};

export const ListRunsInput = {
  limit: z.optional(
    z.int().check(z.positive(), z.lte(200), z.describe("How many of each (default 10).")),
  ),
  status: z.optional(
    z.enum(STATUS_NAMES).check(z.describe("Only executions and runs with this status.")),
  ),
};

// ---------------------------------------------------------------------------------------------
// Outputs

const nullableNumber = z.nullable(z.number());

export const TaskResultOutput = z.object({
  execution_id: z.string(),
  kind: z.enum(["claude", "command"]),
  status: z.string(),
  exit_code: nullableNumber,
  duration_ms: nullableNumber,
  cost_usd: nullableNumber,
  /** Claude tasks: the final answer. */
  result: z.optional(z.nullable(z.string())),
  /** Commands: the last ≤ 20 KB of their output (stdout and stderr as they came). */
  output_tail: z.optional(z.string()),
  /** Whether output_tail is cut (the whole output is in history). */
  truncated: z.boolean(),
  /** When cut: where the whole output is (Claude Code shows a model only this JSON). */
  note: z.optional(z.string()),
  /** The `verify` check, when one was given and the task completed. */
  verify: z.optional(
    z.object({
      command: z.string(),
      passed: z.boolean(),
      status: z.string(),
      exit_code: nullableNumber,
      execution_id: z.string(),
      output_tail: z.string(),
    }),
  ),
  error: z.nullable(z.string()),
});
export type TaskResultOutput = z.infer<typeof TaskResultOutput>;

export const TaskSummaryOutput = z.object({
  index: z.number(),
  name: z.nullable(z.string()),
  status: z.string(),
  execution_id: z.nullable(z.string()),
  duration_ms: nullableNumber,
  cost_usd: nullableNumber,
  summary: z.nullable(z.string()),
});
export type TaskSummaryOutput = z.infer<typeof TaskSummaryOutput>;

export const TaskRunOutput = z.object({
  run_id: z.string(),
  name: z.nullable(z.string()),
  status: z.string(),
  result_dir: z.string(),
  total: z.number(),
  completed: z.number(),
  failed: z.number(),
  cost_usd: z.number(),
  error: z.nullable(z.string()),
  tasks: z.array(TaskSummaryOutput),
});
export type TaskRunOutput = z.infer<typeof TaskRunOutput>;

export const StartTaskListOutput = z.object({
  run_id: z.string(),
  name: z.nullable(z.string()),
  status: z.string(),
  total: z.number(),
  result_dir: z.string(),
});
export type StartTaskListOutput = z.infer<typeof StartTaskListOutput>;

export const CancelOutput = z.object({
  execution_id: z.optional(z.string()),
  run_id: z.optional(z.string()),
  status: z.string(),
});
export type CancelOutput = z.infer<typeof CancelOutput>;

export const ListRunsOutput = z.object({
  executions: z.array(
    z.object({
      execution_id: z.string(),
      kind: z.string(),
      status: z.string(),
      command: z.string(),
      created_at: z.string(),
      duration_ms: nullableNumber,
      cost_usd: nullableNumber,
    }),
  ),
  runs: z.array(
    z.object({
      run_id: z.string(),
      name: z.nullable(z.string()),
      status: z.string(),
      total: z.number(),
      completed: z.number(),
      failed: z.number(),
      cost_usd: z.number(),
      created_at: z.string(),
    }),
  ),
});
export type ListRunsOutput = z.infer<typeof ListRunsOutput>;
