/**
 * `cancel` and `list_runs` (DESIGN §13). `cancel` returns the final state: a run's after the
 * server has stopped it (`tasks.cancel` answers then), an execution's once its record shows it
 * ended (the kill grace, 5 s by default, bounds that).
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { RemoteError } from "../client/errors.js";
import type { CcExecutorClient } from "../client/node.js";
import { ErrorCode } from "../protocol/errors.js";
import { ExecutionStatus } from "../protocol/methods.js";
import { TaskRunStatus } from "../protocol/tasks.js";
import type * as z from "../protocol/zod.js";
import type { ToolContext } from "./tool-context.js";
import { describeError, failure, formatCost, formatDuration, success } from "./tool-results.js";
import type { CancelInput, CancelOutput, ListRunsInput, ListRunsOutput } from "./tool-schemas.js";

type CancelArgs = { [K in keyof typeof CancelInput]: z.infer<(typeof CancelInput)[K]> };
type ListArgs = { [K in keyof typeof ListRunsInput]: z.infer<(typeof ListRunsInput)[K]> };

const ENDED_WAIT_MS = 15_000;
const POLL_MS = 100;
const LIVE = new Set(["queued", "running", "paused"]);

export async function cancel(args: CancelArgs, ctx: ToolContext): Promise<CallToolResult> {
  if ((args.execution_id === undefined) === (args.run_id === undefined)) {
    return failure(
      "cancel takes `execution_id` (one task from run_task) or `run_id` (a task list), one of them.",
    );
  }
  let client: CcExecutorClient;
  try {
    client = await ctx.link.client();
  } catch (error) {
    return failure(describeError(error));
  }
  try {
    if (args.run_id !== undefined) {
      const run = await client.request("tasks.cancel", { run_id: args.run_id });
      const out: CancelOutput = { run_id: run.run_id, status: run.status };
      return success(
        `Task list ${run.run_id}: ${run.status} (${run.completed}/${run.total} tasks completed). \`cc-executor tasks resume ${run.run_id}\` continues it later.`,
        out,
      );
    }
    const executionId = args.execution_id as string;
    try {
      await client.cancel(executionId);
    } catch (error) {
      // Already over: report how it ended.
      if (!(error instanceof RemoteError && error.code === ErrorCode.ExecutionNotFound))
        throw error;
    }
    const status = await finalStatus(client, executionId);
    const out: CancelOutput = { execution_id: executionId, status };
    const text = LIVE.has(status)
      ? `Execution ${executionId} was asked to stop but still shows ${status}; call cancel again or check list_runs.`
      : `Execution ${executionId}: ${status}.`;
    return LIVE.has(status) ? failure(text, out) : success(text, out);
  } catch (error) {
    return failure(`cancel failed: ${describeError(error)}`);
  }
}

/** The execution's status once it has ended (or the last seen, after ENDED_WAIT_MS). */
async function finalStatus(client: CcExecutorClient, executionId: string): Promise<string> {
  const deadline = Date.now() + ENDED_WAIT_MS;
  for (;;) {
    const { execution } = await client.request("history.get", {
      execution_id: executionId,
      max_output_bytes: 1,
    });
    if (!LIVE.has(execution.status) || Date.now() > deadline) return execution.status;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function listRuns(args: ListArgs, ctx: ToolContext): Promise<CallToolResult> {
  let client: CcExecutorClient;
  try {
    client = await ctx.link.client();
  } catch (error) {
    return failure(describeError(error));
  }
  const limit = args.limit ?? 10;
  const status = args.status;
  try {
    const executionStatus = ExecutionStatus.options.find((name) => name === status);
    const runStatus = TaskRunStatus.options.find((name) => name === status);
    const [history, tasks] = await Promise.all([
      status !== undefined && executionStatus === undefined
        ? { executions: [] }
        : client.request("history.list", { limit, offset: 0, status: executionStatus }),
      status !== undefined && runStatus === undefined
        ? { runs: [] }
        : client.request("tasks.list", { limit, status: runStatus }),
    ]);
    const out: ListRunsOutput = {
      executions: history.executions.map((e) => ({
        execution_id: e.execution_id,
        kind: e.kind,
        status: e.status,
        command: e.command.length > 120 ? `${e.command.slice(0, 119)}…` : e.command,
        created_at: e.created_at,
        duration_ms: e.duration_ms,
        cost_usd: e.claude?.cost_usd ?? null,
      })),
      runs: tasks.runs.map((r) => ({
        run_id: r.run_id,
        name: r.name,
        status: r.status,
        total: r.total,
        completed: r.completed,
        failed: r.failed,
        cost_usd: r.cost_usd,
        created_at: r.created_at,
      })),
    };
    const lines = [`Task-list runs (newest first): ${out.runs.length === 0 ? "none" : ""}`];
    for (const r of out.runs) {
      lines.push(
        `- ${r.run_id} ${r.name ? `'${r.name}' ` : ""}${r.status}, ${r.completed}/${r.total} completed${r.cost_usd ? `, ${formatCost(r.cost_usd)}` : ""}, created ${r.created_at}`,
      );
    }
    lines.push(`Executions (newest first): ${out.executions.length === 0 ? "none" : ""}`);
    for (const e of out.executions) {
      const cost = formatCost(e.cost_usd);
      lines.push(
        `- ${e.execution_id} ${e.kind} ${e.status}${e.duration_ms !== null ? `, ${formatDuration(e.duration_ms)}` : ""}${cost ? `, ${cost}` : ""}: ${e.command.split("\n")[0]}`,
      );
    }
    return success(lines.join("\n"), out);
  } catch (error) {
    return failure(`list_runs failed: ${describeError(error)}`);
  }
}
