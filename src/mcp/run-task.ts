/**
 * `run_task` (DESIGN §13): one Claude prompt or one shell command, through the cc-executor
 * server, waited for. Progress (seconds elapsed, and what the task is doing) goes out at least
 * every interval; a cancelled call cancels the execution and waits for its end, so no process
 * outlives the cancellation.
 */
import { resolve } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ClaudeResult } from "../client/claude.js";
import type { ExecutionResult } from "../client/events.js";
import type * as z from "../protocol/zod.js";
import { OUTPUT_TAIL_BYTES, OutputTail } from "./output-tail.js";
import { ProgressReporter } from "./progress-reporter.js";
import { StepActivity } from "./step-activity.js";
import type { ToolContext, ToolExtra } from "./tool-context.js";
import { progressSender } from "./tool-context.js";
import {
  describeError,
  failure,
  formatCost,
  formatDuration,
  success,
  titleOf,
} from "./tool-results.js";
import type { RunTaskInput, TaskResultOutput } from "./tool-schemas.js";
import { type CheckOutcome, runCheck } from "./verify-check.js";

type Args = { [K in keyof typeof RunTaskInput]: z.infer<(typeof RunTaskInput)[K]> };

export async function runTask(
  args: Args,
  ctx: ToolContext,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const hasPrompt = args.prompt !== undefined && args.prompt.trim() !== "";
  const hasCommand = args.command !== undefined && args.command.trim() !== "";
  if (hasPrompt === hasCommand) {
    return failure(
      hasPrompt
        ? "run_task takes `prompt` or `command`, not both: call it once per task (a prompt for Claude, a command for the shell)."
        : "run_task needs a task: `prompt` (a brief for a fresh Claude process) or `command` (a shell command). Call it again with one of them.",
    );
  }
  const cwd = resolve(ctx.baseDir, args.cwd ?? ".");
  let client: Awaited<ReturnType<ToolContext["link"]["client"]>>;
  try {
    client = await ctx.link.client();
  } catch (error) {
    return failure(describeError(error));
  }
  const timeoutMs = args.timeout_seconds === undefined ? undefined : args.timeout_seconds * 1000;
  const kind = hasPrompt ? "claude" : "command";
  const text = (hasPrompt ? args.prompt : args.command) as string;
  const activity = new StepActivity(kind);
  const title = titleOf(text);
  const reporter = new ProgressReporter(
    progressSender(extra),
    () => ({
      progress: (Date.now() - activity.startedAtMs) / 1000,
      message: `'${title}': ${activity.describe()}`,
    }),
    ctx.progressIntervalMs,
  );
  reporter.start();
  try {
    if (kind === "claude") {
      const stream = client.claudeStream(text, {
        cwd,
        model: args.model,
        allowedTools: args.allowed_tools,
        verifyUuid: args.verify_uuid,
        timeoutMs,
        signal: extra.signal,
      });
      for await (const item of stream) {
        if (item.type === "claude") activity.claudeEvent(item.event);
        else if (item.type === "notice") activity.notice(item.notice.method, item.notice.params);
        else if (item.type === "started") activity.notice("process.started", {});
      }
      const run = await stream.result;
      const outcome = claudeOutcome(run);
      if (outcome.isError || !args.verify) return outcome;
      activity.phase = "verifying";
      const check = await runCheck(client, args.verify, {
        cwd,
        result: run.result ?? "",
        signal: extra.signal,
      });
      return verified(outcome, check);
    }
    const tail = new OutputTail();
    const stream = client.stream(text, { cwd, timeoutMs, signal: extra.signal });
    for await (const event of stream) {
      if (event.type === "output") tail.push(event.data);
    }
    const outcome = commandOutcome(await stream.result, tail);
    if (outcome.isError || !args.verify) return outcome;
    activity.phase = "verifying";
    const check = await runCheck(client, args.verify, {
      cwd,
      result: tail.toString(),
      signal: extra.signal,
    });
    return verified(outcome, check);
  } catch (error) {
    return failure(`run_task could not run the ${kind}: ${describeError(error)}`);
  } finally {
    reporter.stop();
  }
}

/** The task's result with its check: unchanged but for `verify` when it passed, else an error. */
function verified(outcome: CallToolResult, check: CheckOutcome): CallToolResult {
  const structured = { ...(outcome.structuredContent as TaskResultOutput), verify: check };
  if (check.passed) return success(textOf(outcome), structured);
  structured.status = "failed";
  structured.error = `verify_failed: the check \`${check.command}\` ${check.exit_code !== null ? `exited with code ${check.exit_code}` : check.status}`;
  const lines = [
    `The task completed, but its check failed: \`${check.command}\` ${check.exit_code !== null ? `exited with code ${check.exit_code}` : check.status} (execution_id ${check.execution_id}).`,
    check.output_tail
      ? `Check output (last 4 KB):\n${check.output_tail}`
      : "The check printed nothing.",
    "Fix the cause, or call run_task again (with a more precise prompt) and the same verify.",
    `--- the task's result ---\n${textOf(outcome)}`,
  ];
  return failure(lines.join("\n\n"), structured);
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

function claudeOutcome(run: ClaudeResult): CallToolResult {
  const structured: TaskResultOutput = {
    execution_id: run.executionId,
    kind: "claude",
    status: run.status,
    exit_code: run.exitCode,
    duration_ms: run.durationMs,
    cost_usd: run.costUsd,
    result: run.result,
    truncated: false,
    error: run.error,
  };
  const facts = [run.status, formatDuration(run.durationMs), formatCost(run.costUsd)]
    .filter(Boolean)
    .join(", ");
  const footer = `[Claude task ${facts}; execution_id ${run.executionId}]`;
  if (run.success) return success(`${run.result ?? ""}\n\n${footer}`, structured);
  const why = run.error ?? (run.isError ? "Claude's result is an error" : run.status);
  const lines = [
    `The Claude task did not complete: ${run.status} — ${why}.`,
    run.result ? `Its last answer:\n${run.result}` : "It gave no answer.",
    `Details: \`cc-executor history show ${run.executionId}\`. To retry, call run_task again (for a timeout, with a larger timeout_seconds; for a vague result, with a more precise prompt).`,
    footer,
  ];
  return failure(lines.join("\n\n"), structured);
}

function commandOutcome(run: ExecutionResult, tail: OutputTail): CallToolResult {
  const output = tail.toString();
  const structured: TaskResultOutput = {
    execution_id: run.executionId,
    kind: "command",
    status: run.status,
    exit_code: run.exitCode,
    duration_ms: run.durationMs,
    cost_usd: null,
    output_tail: output,
    truncated: tail.truncated,
    error: run.error,
  };
  const how =
    run.exitCode !== null
      ? `exit code ${run.exitCode}`
      : run.signal
        ? `signal ${run.signal}`
        : (run.error ?? "no exit code");
  const head = `Command ${run.status} (${how}) in ${formatDuration(run.durationMs)}; execution_id ${run.executionId}.`;
  const where = `all of it: \`cc-executor history show ${run.executionId}\``;
  if (tail.truncated)
    structured.note = `output_tail is its last ${OUTPUT_TAIL_BYTES / 1024} KB; ${where}`;
  const note = tail.truncated
    ? `--- last ${OUTPUT_TAIL_BYTES / 1024} KB of the output; ${where} ---`
    : "--- output ---";
  const body = output === "" ? "(no output)" : `${note}\n${output}`;
  if (run.success) return success(`${head}\n${body}`, structured);
  const advice =
    run.status === "timed_out"
      ? "It hit its time limit: call run_task again with a larger timeout_seconds."
      : "Read the output, fix the cause, then call run_task again.";
  return failure(`${head}\n${advice}\n${body}`, structured);
}
