/**
 * What `tasks run` draws on a terminal (DESIGN §7): a line per finished task, a live status line
 * with task i/N, state, elapsed time, cost so far and the last line of output — redrawn in place
 * and gone at the end. Fed with events as the SDK delivers them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ttyProgress } from "../src/cli/task-progress-tty.js";
import type { TaskListEvent } from "../src/client/task-list-run.js";

const ESC = String.fromCharCode(27);
/** The screen as a person sees it: colours removed, each \r…\x1b[2K redraw replacing the line. */
function screen(raw: string): string[] {
  const plain = raw.replace(new RegExp(`${ESC}\\[\\d*m`, "g"), "");
  const lines: string[] = [];
  for (const line of plain.split("\n")) {
    const parts = line.split(`\r${ESC}[2K`);
    lines.push(parts[parts.length - 1] ?? "");
  }
  return lines;
}

const started = (index: number, title: string, kind: "prompt" | "command") => ({
  run_id: "r1",
  index,
  total: 2,
  name: null,
  title,
  kind,
  attempt: 1,
  max_attempts: 1,
  execution_id: `r1-t${index}-a1`,
});

describe("terminal progress", () => {
  const previous = process.env.NO_COLOR;
  afterEach(() => {
    if (previous === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = previous;
  });

  it("shows finished tasks as lines and the running one as a status line", () => {
    let raw = "";
    const progress = ttyProgress(
      { isTTY: true, columns: 120, write: (text: string) => (raw += text) },
      { output: true },
    );
    const events: TaskListEvent[] = [
      { type: "started", runId: "r1", name: "demo", total: 2, startTask: 1 },
      { type: "task.started", runId: "r1", params: started(1, "Write notes", "prompt") },
      {
        type: "output",
        runId: "r1",
        index: 1,
        executionId: "r1-t1-a1",
        stream: "stdout",
        data: `${JSON.stringify({ type: "assistant", message: { content: [{ type: "text", text: "Writing notes.md now" }] } })}\n`,
      },
      {
        type: "task.completed",
        runId: "r1",
        params: {
          ...started(1, "Write notes", "prompt"),
          status: "completed",
          attempt_status: "completed",
          exit_code: 0,
          duration_ms: 1500,
          cost_usd: 0.0125,
          run_cost_usd: 0.0125,
          result_preview: "Wrote notes.md\nwith details",
          result_bytes: 27,
          file: "/runs/r1/task-1.md",
          error: null,
        },
      },
      { type: "task.started", runId: "r1", params: started(2, "make test", "command") },
      {
        type: "output",
        runId: "r1",
        index: 2,
        executionId: "r1-t2-a1",
        stream: "stdout",
        data: "compiling\n  running 12 tests\n",
      },
    ];
    for (const event of events) progress.event(event);
    const lines = screen(raw);
    expect(lines[0]).toBe("▶ demo · run r1 · 2 tasks");
    expect(lines[1]).toBe("✓ [1/2] Write notes: completed in 1.5s, $0.0125 — Wrote notes.md");
    const status = lines[lines.length - 1] ?? "";
    expect(status).toMatch(
      /^. \[2\/2\] make test · running · \d+ms · \$0\.0125 · running 12 tests$/,
    );
    progress.close();
    expect(screen(raw).at(-1)).toBe("");
  });

  it("shows a child's last line without its escape sequences: no colours, no clear screen", () => {
    delete process.env.NO_COLOR;
    let raw = "";
    const progress = ttyProgress(
      { isTTY: true, columns: 120, write: (text: string) => (raw += text) },
      { output: true },
    );
    const output = (data: string): TaskListEvent => ({
      type: "output",
      runId: "r1",
      index: 1,
      executionId: "r1-t1-a1",
      stream: "stdout",
      data,
    });
    progress.event({ type: "task.started", runId: "r1", params: started(1, "paint", "command") });
    progress.event(output(`${ESC}[2J${ESC}[H${ESC}[31mred${ESC}[0m and ${ESC}[1;4mloud${ESC}[m\n`));
    const status = screen(raw).at(-1) ?? "";
    expect(status).toMatch(/· red and loud$/);
    // A progress bar redraws its line with \r: the terminal would show what follows the last.
    progress.event(output(`${ESC}]0;title${String.fromCharCode(7)}copy 10%\rcopy 50%\n`));
    expect(screen(raw).at(-1)).toMatch(/· copy 50%$/);
    progress.close();

    // What reached the terminal: our own line clear and the status line's dim style, nothing of
    // the child's (its clear screen, cursor home, colours, window title).
    const sequences = raw.match(new RegExp(`${ESC}(\\[[0-9;]*[A-Za-z]|\\][^${ESC}]*)`, "g")) ?? [];
    expect(new Set(sequences)).toEqual(new Set([`${ESC}[2K`, `${ESC}[2m`, `${ESC}[22m`]));
  });

  it("says waiting, with the next attempt and the time left, while a retry waits", () => {
    let raw = "";
    const progress = ttyProgress(
      { isTTY: true, columns: 120, write: (text: string) => (raw += text) },
      { output: true },
    );
    const first = { ...started(1, "flaky", "command"), max_attempts: 2 };
    progress.event({ type: "task.started", runId: "r1", params: first });
    progress.event({
      type: "task.completed",
      runId: "r1",
      params: {
        ...first,
        status: "waiting",
        attempt_status: "failed",
        exit_code: 3,
        duration_ms: 20,
        cost_usd: null,
        run_cost_usd: 0,
        result_preview: null,
        result_bytes: 0,
        file: null,
        error: "exited with code 3",
        retry_in_ms: 30_000,
      },
    });
    const status = screen(raw).at(-1) ?? "";
    expect(status).toMatch(/^. \[1\/2\] flaky · waiting · attempt 2\/2 in (30|29)\.\ds$/);
    progress.event({
      type: "task.started",
      runId: "r1",
      params: { ...first, attempt: 2, execution_id: "r1-t1-a2" },
    });
    expect(screen(raw).at(-1)).toMatch(/^. \[1\/2\] flaky · attempt 2\/2 · \d+ms$/);
    progress.close();
  });

  it("writes no colour with NO_COLOR, and a finished task's preview without escape sequences", () => {
    process.env.NO_COLOR = "1";
    let raw = "";
    const progress = ttyProgress(
      { isTTY: true, columns: 120, write: (text: string) => (raw += text) },
      { output: true },
    );
    progress.event({ type: "task.started", runId: "r1", params: started(1, "build", "command") });
    progress.event({
      type: "task.completed",
      runId: "r1",
      params: {
        ...started(1, "build", "command"),
        status: "completed",
        attempt_status: "completed",
        exit_code: 0,
        duration_ms: 20,
        cost_usd: null,
        run_cost_usd: 0,
        result_preview: `${ESC}[2J${ESC}[32mbuilt${ESC}[0m 3 targets`,
        result_bytes: 30,
        file: "/runs/r1/task-1.md",
        error: null,
      },
    });
    progress.close();
    expect(raw.replaceAll(`\r${ESC}[2K`, "")).not.toContain(ESC);
    expect(screen(raw)[0]).toBe("✓ [1/2] build: completed in 20ms — built 3 targets");
  });
});
