/**
 * "Verified before passed on" (DESIGN §7): a task's `verify` is a shell command run in the task's
 * cwd after an attempt that otherwise completed, with CC_EXECUTOR_TASK_RESULT_FILE pointing at
 * the attempt's whole result. A non-zero exit fails the attempt (`reason: "verify_failed"`, the
 * check's output kept in its error) and the task's retries apply. The check is a step like any
 * other — through the engine, with its hooks, caps and history — under the id
 * `<attempt's execution id>-verify`.
 */
import { type ExecutionHandle, OutputCapture } from "../engine/execution-handle.js";
import type { TaskAttempt } from "../store/task-run-record.js";
import type { ResolvedTask } from "./task-list-schema.js";
import { succeeded } from "./task-outcome.js";
import { commandResult } from "./task-result.js";
import type { StepRequest, TaskStepExecutor } from "./task-steps.js";

/** How much of the check's output (stdout and stderr) its failure keeps: the last part. */
const CHECK_OUTPUT_BYTES = 4 * 1024;

export interface VerifyInput {
  task: ResolvedTask;
  attempt: TaskAttempt;
  /** The attempt's step request (origin, env, who), which the check's request is made from. */
  step: StepRequest;
  resultFile: string;
  steps: TaskStepExecutor;
  /** The check's execution, once admitted (so a cancel reaches it). */
  started(execution: ExecutionHandle | null): void;
}

/** Runs the check; null when it passed, else the error the attempt keeps. */
export async function verifyAttempt(input: VerifyInput): Promise<string | null> {
  const { task, attempt, step } = input;
  const command = task.verify as string;
  const capture = new OutputCapture("utf8", 0, CHECK_OUTPUT_BYTES);
  let execution: ExecutionHandle;
  try {
    execution = await input.steps.start({
      ...step,
      task: { ...task, kind: "command" },
      text: command,
      executionId: `${attempt.executionId}-verify`,
      env: { ...step.env, CC_EXECUTOR_TASK_RESULT_FILE: input.resultFile },
      who: `${step.who} verify`,
      listener: { output: (chunk) => capture.add(chunk) },
    });
  } catch (error) {
    return `verify_failed: the check \`${command}\` could not start: ${(error as Error).message}`;
  }
  input.started(execution);
  const ended = await execution.done;
  input.started(null);
  if (succeeded(ended)) return null;
  const how =
    ended.exitCode !== null ? `exited with code ${ended.exitCode}` : (ended.error ?? ended.status);
  const output = commandResult(capture).text;
  return `verify_failed: the check \`${command}\` ${how}${output ? `:\n${output}` : " (no output)"}`;
}
