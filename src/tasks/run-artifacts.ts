/**
 * `$CC_EXECUTOR_HOME/runs/<run-id>/` (DESIGN §3, §7): what a run leaves for people and for later
 * tasks — `tasklist.json` (the list as it runs), `task-N.json` and `task-N.md` for each task that
 * ran (N from 1), and `run.json` (the run's record) once it ends. Files are written whole to a
 * temporary name and renamed, so a reader never sees half of one.
 *
 * The writes are synchronous: a few small files per task take ~0.1 ms that way, where each
 * awaited step of an asynchronous write would cost a thread-pool round trip (bench/
 * tasklist-overhead.mjs), and they must be on disk before the next task starts anyway.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskRunRecord, TaskState } from "../store/task-run-record.js";
import type { ResolvedTask } from "./task-list-schema.js";

export class RunArtifacts {
  readonly dir: string;
  private dirReady = false;

  constructor(runsRoot: string, runId: string) {
    this.dir = join(runsRoot, runId);
  }

  taskMarkdown(index: number): string {
    return join(this.dir, `task-${index + 1}.md`);
  }

  taskJson(index: number): string {
    return join(this.dir, `task-${index + 1}.json`);
  }

  writeList(record: TaskRunRecord): void {
    this.write("tasklist.json", `${JSON.stringify(record.list, null, 2)}\n`);
  }

  /** task-N.json and task-N.md for task `index` as it stands in `record`. */
  writeTask(record: TaskRunRecord, index: number, fullResult: string | null): void {
    const task = record.list.tasks[index];
    const state = record.tasks[index];
    if (!task || !state) return;
    const json = {
      run_id: record.runId,
      list: record.list.name,
      index: index + 1,
      total: record.list.tasks.length,
      name: task.name,
      kind: task.kind,
      status: state.status,
      ran: state.rendered,
      result: fullResult ?? state.result,
      result_bytes: state.resultBytes,
      exit_code: state.exitCode,
      cost_usd: state.costUsd,
      claude_session_id: state.claudeSessionId,
      started_at: iso(state.startedAtMs),
      ended_at: iso(state.endedAtMs),
      error: state.error,
      attempts: state.attempts.map((a) => ({
        attempt: a.attempt,
        execution_id: a.executionId,
        status: a.status,
        exit_code: a.exitCode,
        duration_ms: a.durationMs,
        cost_usd: a.costUsd,
        error: a.error,
      })),
    };
    this.write(`task-${index + 1}.json`, `${JSON.stringify(json, null, 2)}\n`);
    this.write(`task-${index + 1}.md`, markdown(record, task, state, fullResult));
  }

  /** An attempt's whole result, for its `verify` check to read (CC_EXECUTOR_TASK_RESULT_FILE). */
  writeAttemptResult(index: number, attempt: number, fullResult: string): string {
    const name = `task-${index + 1}.attempt-${attempt}.result`;
    this.write(name, fullResult);
    return join(this.dir, name);
  }

  writeRun(record: TaskRunRecord): void {
    const { list: _list, ...rest } = record;
    this.write("run.json", `${JSON.stringify(rest, null, 2)}\n`);
  }

  private write(name: string, text: string): void {
    if (!this.dirReady) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const path = join(this.dir, name);
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, path);
  }
}

function markdown(
  record: TaskRunRecord,
  task: ResolvedTask,
  state: TaskState,
  fullResult: string | null,
): string {
  const total = record.list.tasks.length;
  const title = task.name ?? (task.kind === "command" ? "shell command" : "Claude task");
  const last = state.attempts[state.attempts.length - 1];
  const facts = [
    `- Status: **${state.status}**${last ? ` (attempt ${last.attempt})` : ""}`,
    `- Kind: ${task.kind === "command" ? "shell command" : "Claude prompt"}`,
    `- Run: ${record.runId}${record.list.name ? ` (${record.list.name})` : ""}`,
  ];
  if (last) {
    facts.push(
      `- Execution: ${last.executionId} (full output: \`cc-executor history show ${last.executionId}\`)`,
    );
  }
  if (state.exitCode !== null) facts.push(`- Exit code: ${state.exitCode}`);
  if (last?.durationMs !== null && last?.durationMs !== undefined) {
    facts.push(`- Duration: ${(last.durationMs / 1000).toFixed(1)} s`);
  }
  if (state.costUsd !== null) facts.push(`- Cost: $${state.costUsd.toFixed(4)}`);
  if (state.error) facts.push(`- Error: ${state.error}`);
  const ran = state.rendered ?? task.text;
  const result = fullResult ?? state.result ?? "";
  const sections =
    task.kind === "command"
      ? ["## Command", fenced(ran, "sh"), "## Output (stdout)", fenced(result, "")]
      : ["## Prompt", ran, "## Result", result || "_(no result)_"];
  return `# Task ${task.index + 1} of ${total}: ${title}\n\n${facts.join("\n")}\n\n${sections.join("\n\n")}\n`;
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(text: string, lang: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
