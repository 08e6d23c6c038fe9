/**
 * Task-list runs [task-runs]: each run [task-run-row] with i/N, cost so far, elapsed; the open
 * run shows its tasks [task-row] with their status, and resume [resume] / cancel.
 */
import { useState } from "preact/hooks";
import type { TaskRunSummaryWire, TaskRunWire } from "../../src/protocol/tasks.js";
import type { CcExecutorClient } from "./connection.js";
import { elapsedMs, formatCost, formatDuration } from "./format.js";
import { href, navigate } from "./router.js";
import { usePoll } from "./use-poll.js";

/** "i/N": the task under way while running, the tasks done once it ended. */
export function progressOf(run: TaskRunSummaryWire): string {
  const done = run.completed + run.failed;
  const current = run.status === "running" && run.next_task !== null ? run.next_task : done;
  return `${current}/${run.total}`;
}

interface Props {
  client: CcExecutorClient;
  openRunId: string | null;
}

export function TaskRuns({ client, openRunId }: Props) {
  const { value, error, refresh } = usePoll(
    () => client.request("tasks.list", { limit: 50 }),
    1000,
    [client],
  );
  return (
    <section data-testid="task-runs">
      <h2>Task runs</h2>
      {error && <p class="error">{error}</p>}
      {value === null ? (
        <p class="muted">Loading…</p>
      ) : value.runs.length === 0 ? (
        <p class="muted">
          No task list has run yet. <a href="#/new">Start one</a>.
        </p>
      ) : (
        <table class="rows">
          <thead>
            <tr>
              <th>run</th>
              <th>status</th>
              <th>task</th>
              <th>cost</th>
              <th>elapsed</th>
            </tr>
          </thead>
          <tbody>
            {value.runs.map((run) => (
              <tr
                key={run.run_id}
                data-testid="task-run-row"
                data-run-id={run.run_id}
                data-status={run.status}
                tabIndex={0}
                class={run.run_id === openRunId ? "selected" : undefined}
                onClick={() => navigate({ view: "tasks", runId: run.run_id })}
                onKeyDown={(e) =>
                  e.key === "Enter" && navigate({ view: "tasks", runId: run.run_id })
                }
              >
                <td>
                  <a href={href({ view: "tasks", runId: run.run_id })} tabIndex={-1}>
                    {run.name ?? run.run_id}
                  </a>
                </td>
                <td>
                  <span class={`status status-${run.status}`}>{run.status}</span>
                </td>
                <td data-testid="task-progress">{progressOf(run)}</td>
                <td>{formatCost(run.cost_usd)}</td>
                <td>{formatDuration(elapsedMs(run.created_at, run.ended_at))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {openRunId && <RunDetail client={client} runId={openRunId} onChange={refresh} />}
    </section>
  );
}

function RunDetail({
  client,
  runId,
  onChange,
}: {
  client: CcExecutorClient;
  runId: string;
  onChange: () => void;
}) {
  const { value: run, error } = usePoll<TaskRunWire>(
    () => client.request("tasks.get", { run_id: runId, stream_output: false }),
    1000,
    [client, runId],
  );
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (action: "resume" | "cancel") => {
    setActionError(null);
    try {
      if (action === "resume")
        await client.request("tasks.resume", { run_id: runId, stream_output: false });
      else await client.request("tasks.cancel", { run_id: runId });
      onChange();
    } catch (failure) {
      setActionError((failure as Error).message);
    }
  };
  if (error) return <p class="error">{error}</p>;
  if (!run) return <p class="muted">Loading {runId}…</p>;
  return (
    <div class="run-detail" data-testid="task-run-detail">
      <div class="toolbar">
        <h3>
          {run.name ?? run.run_id} <span class="muted">{progressOf(run)}</span>
        </h3>
        <div class="controls">
          <button
            type="button"
            data-testid="resume"
            disabled={run.status === "running" || run.status === "completed"}
            onClick={() => act("resume")}
          >
            Resume
          </button>
          <button
            type="button"
            data-testid="cancel-run"
            disabled={run.status !== "running"}
            onClick={() => act("cancel")}
          >
            Cancel run
          </button>
        </div>
      </div>
      <p class="meta muted">
        {run.run_dir} · {formatCost(run.cost_usd)} · resumed {run.resumes}×
        {run.error && <> · {run.error}</>}
      </p>
      {actionError && <p class="error">{actionError}</p>}
      <ol class="tasks">
        {run.tasks.map((task) => {
          const last = task.attempts.at(-1);
          return (
            <li key={task.index} data-testid="task-row" data-status={task.status}>
              <span class={`status status-${task.status}`}>{task.status}</span>{" "}
              <strong>
                {task.index}. {task.name ?? (task.kind === "prompt" ? "prompt" : "command")}
              </strong>{" "}
              <span class="muted text">{task.text}</span>
              <span class="muted">
                {" "}
                · {formatDuration(elapsedMs(task.started_at, task.ended_at))} ·{" "}
                {formatCost(task.cost_usd)}
                {task.attempts.length > 1 && <> · {task.attempts.length} attempts</>}
              </span>
              {last && (
                <>
                  {" "}
                  · <a href={href({ view: "execution", id: last.execution_id })}>output</a>
                </>
              )}
              {task.error && <div class="error">{task.error}</div>}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
