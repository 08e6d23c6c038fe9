/**
 * The MCP server (DESIGN §13): the orchestrating Claude session's front door. Its tools run tasks
 * and task lists through the cc-executor server and wait for them, with progress. Descriptions
 * are written for the model that picks the tools: when to use each, and what comes back.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { VERSION } from "../protocol/version.js";
import { cancel, listRuns } from "./cancel-and-list.js";
import { ORCHESTRATE_DESCRIPTION, orchestratePrompt } from "./orchestrate-prompt.js";
import { runTask } from "./run-task.js";
import { getTaskRun, runTaskList, startTaskList } from "./task-list-tools.js";
import type { ToolContext } from "./tool-context.js";
import {
  CancelInput,
  CancelOutput,
  GetTaskRunInput,
  ListRunsInput,
  ListRunsOutput,
  RunTaskInput,
  RunTaskListInput,
  StartTaskListOutput,
  TaskResultOutput,
  TaskRunOutput,
} from "./tool-schemas.js";

const RUN_TASK = `Run one task in a fresh process and wait until it ends: a Claude Code run (\`prompt\`: a new \`claude -p\` with an empty context window) or a shell command (\`command\`). Use it to hand a self-contained piece of work to a fresh Claude — the prompt must say everything it needs, it sees nothing of this conversation — or to run a check such as tests. Tasks run through the cc-executor service (history, no orphan processes, retries of API errors). Returns the Claude answer (or the command's exit code and last 20 KB of output) with status, duration, cost and execution_id; a task that did not complete is an error result saying why and how to retry. Long tasks send progress; cancelling the call stops the task.`;

const RUN_TASK_LIST = `Run a list of tasks strictly one after another, each in a fresh process (Claude prompt or shell command), and wait until the list ends. Later prompts can use earlier results: {{previous.result}}, {{tasks.N.result}} (N from 1). Give \`tasks\` inline or a task-list \`file\`. The list runs inside the cc-executor server: if this call is interrupted the list goes on, and get_task_run {run_id, wait: true} picks it up again. By default the list stops at the first failed task. Returns each task's status, duration, cost and the first lines of its result, the run_id, and the folder with every full result (task-N.md). For lists that may take longer than you can wait, use start_task_list.`;

const START_TASK_LIST = `Start a task list (same arguments as run_task_list) and return at once with its run_id. The list runs in the cc-executor server, independent of this session, even if it ends. Use it for long lists; then check or wait with get_task_run.`;

const GET_TASK_RUN = `The state of a task-list run: its status and each task's status and result summary. With wait: true, block (with progress) until the run ends — this is how a new session re-attaches to a list started earlier (by start_task_list, or a run_task_list that was interrupted). Cancelling a wait only stops waiting; use cancel to stop the run.`;

const CANCEL = `Stop a running task (execution_id, from run_task or list_runs) or task list (run_id). Waits until it has stopped and returns the final status; no process is left running. A stopped list can be continued later with \`cc-executor tasks resume <run_id>\`.`;

const LIST_RUNS = `Recent task-list runs and executions (tasks and commands), newest first, with status, duration and cost. Use it to find a run_id or execution_id.`;

export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer(
    { name: "cc-executor", version: VERSION },
    {
      instructions:
        "cc-executor runs Claude Code tasks and shell commands in fresh processes, strictly in order, and waits for them. Read the `orchestrate` prompt for how to hand out work.",
    },
  );
  server.registerTool(
    "run_task",
    {
      title: "Run one task and wait",
      description: RUN_TASK,
      inputSchema: RunTaskInput,
      outputSchema: TaskResultOutput,
    },
    (args, extra) => runTask(args, ctx, extra),
  );
  server.registerTool(
    "run_task_list",
    {
      title: "Run a task list and wait",
      description: RUN_TASK_LIST,
      inputSchema: RunTaskListInput,
      outputSchema: TaskRunOutput,
    },
    (args, extra) => runTaskList(args, ctx, extra),
  );
  server.registerTool(
    "start_task_list",
    {
      title: "Start a task list",
      description: START_TASK_LIST,
      inputSchema: RunTaskListInput,
      outputSchema: StartTaskListOutput,
    },
    (args) => startTaskList(args, ctx),
  );
  server.registerTool(
    "get_task_run",
    {
      title: "A task list's state (or wait for it)",
      description: GET_TASK_RUN,
      inputSchema: GetTaskRunInput,
      outputSchema: TaskRunOutput,
      annotations: { readOnlyHint: true },
    },
    (args, extra) => getTaskRun(args, ctx, extra),
  );
  server.registerTool(
    "cancel",
    {
      title: "Stop a task or task list",
      description: CANCEL,
      inputSchema: CancelInput,
      outputSchema: CancelOutput,
      annotations: { destructiveHint: true },
    },
    (args) => cancel(args, ctx),
  );
  server.registerTool(
    "list_runs",
    {
      title: "Recent runs",
      description: LIST_RUNS,
      inputSchema: ListRunsInput,
      outputSchema: ListRunsOutput,
      annotations: { readOnlyHint: true },
    },
    (args) => listRuns(args, ctx),
  );
  server.registerPrompt(
    "orchestrate",
    { title: "How to orchestrate with cc-executor", description: ORCHESTRATE_DESCRIPTION },
    () => orchestratePrompt(),
  );
  return server;
}
