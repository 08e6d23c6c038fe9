/**
 * What one step of a run is given: its text with templates filled in from the run so far, and
 * the StepRequest the step executor starts — who it is for, the CC_EXECUTOR_TASK_* variables,
 * and for a shell command a listener that keeps its stdout as the task's result.
 */

import type { OutputCapture } from "../engine/execution-handle.js";
import type { TaskAttempt, TaskRunRecord } from "../store/task-run-record.js";
import type { RunArtifacts } from "./run-artifacts.js";
import type { ResolvedTask } from "./task-list-schema.js";
import type { StepRequest } from "./task-steps.js";
import { renderTemplate, type TaskValues } from "./templating.js";

/** The task's prompt or command with `{{…}}` filled in; throws on a bad template. */
export function renderTaskText(
  record: TaskRunRecord,
  task: ResolvedTask,
  artifacts: RunArtifacts,
): string {
  return renderTemplate(
    task.text,
    {
      runId: record.runId,
      runDir: artifacts.dir,
      index: task.index,
      task: (i): TaskValues | null => {
        const state = record.tasks[i];
        if (!state) return null;
        return {
          result: state.result ?? "",
          status: state.status,
          exitCode: state.exitCode,
          file: artifacts.taskMarkdown(i),
          json: artifacts.taskJson(i),
        };
      },
    },
    task.kind === "command",
  );
}

/** The request for one attempt of task `index`. */
export function stepRequest(
  record: TaskRunRecord,
  index: number,
  text: string,
  attempt: TaskAttempt,
  capture: OutputCapture,
  deps: { artifacts: RunArtifacts },
): StepRequest {
  const task = record.list.tasks[index] as ResolvedTask;
  return {
    task,
    text,
    executionId: attempt.executionId,
    origin: {
      sessionId: record.sessionId,
      task: {
        run_id: record.runId,
        index: index + 1,
        name: task.name,
        total: record.list.tasks.length,
      },
    },
    env: {
      ...task.env,
      CC_EXECUTOR_TASK_RUN_ID: record.runId,
      CC_EXECUTOR_TASK_INDEX: String(index + 1),
      CC_EXECUTOR_TASK_COUNT: String(record.list.tasks.length),
      CC_EXECUTOR_RUN_DIR: deps.artifacts.dir,
    },
    who: `task-list ${record.runId} task ${index + 1}`,
    // A command's result is its stdout (kept from the first byte); a prompt's is Claude's answer.
    listener:
      task.kind === "command"
        ? {
            output: (chunk) => {
              if (chunk.stream === "stdout") capture.add(chunk);
            },
          }
        : undefined,
  };
}
