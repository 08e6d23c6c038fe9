/**
 * Task lists in Markdown (DESIGN §7), in either of two forms:
 *
 *   Task 1: Create todo.py with add() and list()       ## Task 1: Create the module
 *   Task 2: Write tests for {{tasks.1.result}}          timeout: 10m
 *     timeout: 10m                                      allowed_tools: Write, Read
 *
 *                                                       Create todo.py with add() and list().
 *
 * Items start with `Task N:` (also `- Task N:`, `**Task N:**`, `Task N (label):`); headings are
 * `## Task N: Title` (any level; `## Task: Title` too). Numbers, when written, must count 1, 2, 3…
 * because templates refer to tasks by position. `key: value` lines right after a task's first
 * line are its settings (only the known keys: timeout, cwd, model, …). A task whose text is one
 * fenced block in sh/bash/shell/zsh is a shell command; so is one with a `command:` setting.
 * YAML front matter (`---` … `---`) holds the list's settings; a `# Title` before the first
 * task names the list. Lines inside fenced blocks never start a task.
 */

import type { ParsedListSource } from "../parse-structured.js";
import { TaskListError } from "../task-list-error.js";
import { readFrontMatter } from "./markdown-front-matter.js";
import { type RawTask, readTask, type TaskSource } from "./markdown-task.js";
import { insideFence, type Line, nextFenceState } from "./markdown-text.js";

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const HEADING_TASK = /^Task(?:\s+(\d+))?\s*(?:\(([^)]*)\))?\s*(?:([:.)\-–—])\s*(.*))?$/i;
const ITEM_TASK =
  /^\s{0,3}(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?Task\s+(\d+)\s*(?:\([^)]*\))?\s*(?:\*\*|__)?\s*[:.\-–—]\s*(?:\*\*|__)?\s*(.*)$/i;

export function parseMarkdown(text: string): ParsedListSource {
  const lines = text.split(/\r?\n/).map((line, i) => ({ number: i + 1, text: line }));
  const front = readFrontMatter(lines);
  const rest = lines.slice(front.consumed);
  const headingMode = rest.some((line, i) => isHeadingTask(line.text) && !insideFence(rest, i));
  const { preamble, tasks } = splitTasks(rest, headingMode);
  if (tasks.length === 0) {
    throw TaskListError.at(
      null,
      "tasks",
      "no tasks found: write `Task 1: …` lines or `## Task 1: …` headings",
    );
  }
  checkNumbering(tasks);
  const sources: TaskSource[] = [];
  const values = tasks.map((task, index) => {
    const { value, source } = readTask(task, `tasks.${index + 1}`);
    sources.push(source);
    return value;
  });
  const list: Record<string, unknown> = { ...front.value };
  if (list.tasks !== undefined) {
    throw TaskListError.at(
      front.lineOf(["tasks"]),
      "tasks",
      "tasks come from the Markdown below the front matter; remove `tasks:` from it",
    );
  }
  const title = preamble.map((line) => HEADING.exec(line.text)).find((m) => m?.[1] === "#");
  if (list.name === undefined && title?.[2]) list.name = title[2];
  list.tasks = values;
  const lineOf = (path: ReadonlyArray<PropertyKey>): number | null => {
    if (path[0] !== "tasks") return front.lineOf(path);
    const index = path[1];
    if (typeof index !== "number") return sources[0]?.line ?? null;
    const source = sources[index];
    if (!source) return null;
    const field = path[2];
    if (typeof field === "string") return source.fields.get(field) ?? source.line;
    return source.line;
  };
  return {
    value: list,
    lineOf,
    textLineOf(path, offset) {
      const index = path[1];
      const source = typeof index === "number" ? sources[index] : undefined;
      const value = typeof index === "number" ? values[index] : undefined;
      const field = path[2];
      if (!source || !value || typeof field !== "string") return lineOf(path);
      const written = String((value as Record<string, unknown>)[field] ?? "");
      const row = written.slice(0, offset).match(/\n/g)?.length ?? 0;
      return source.textLines[row] ?? lineOf(path);
    },
  };
}

function isHeadingTask(text: string): boolean {
  const heading = HEADING.exec(text);
  if (!heading) return false;
  const task = HEADING_TASK.exec(heading[2] ?? "");
  // "## Task list" is not a task: a number or a separator makes it one.
  return Boolean(task && (task[1] !== undefined || task[3] !== undefined));
}

function splitTasks(lines: Line[], headingMode: boolean): { preamble: Line[]; tasks: RawTask[] } {
  const preamble: Line[] = [];
  const tasks: RawTask[] = [];
  let current: RawTask | null = null;
  let fence: string | null = null;
  for (const line of lines) {
    const wasInFence = fence !== null;
    fence = nextFenceState(fence, line.text);
    if (!wasInFence) {
      const started = headingMode ? headingTask(line) : itemTask(line);
      if (started) {
        current = started;
        tasks.push(started);
        continue;
      }
      const heading = HEADING.exec(line.text);
      // Another heading ends a task: any heading for items, one at the task's level or above
      // for heading tasks (deeper ones belong to its text).
      if (
        heading &&
        current &&
        (current.level === null || (heading[1]?.length ?? 0) <= current.level)
      ) {
        current = null;
      }
    }
    if (current) current.body.push(line);
    else if (tasks.length === 0) preamble.push(line);
  }
  return { preamble, tasks };
}

function headingTask(line: Line): RawTask | null {
  if (!isHeadingTask(line.text)) return null;
  const heading = HEADING.exec(line.text) as RegExpExecArray;
  const task = HEADING_TASK.exec(heading[2] ?? "") as RegExpExecArray;
  return {
    line: line.number,
    level: heading[1]?.length ?? 2,
    title: (task[4] ?? "").trim(),
    number: task[1] === undefined ? null : Number(task[1]),
    body: [],
  };
}

function itemTask(line: Line): RawTask | null {
  const match = ITEM_TASK.exec(line.text);
  if (!match) return null;
  return {
    line: line.number,
    level: null,
    title: (match[2] ?? "").trim(),
    number: Number(match[1]),
    body: [],
  };
}

function checkNumbering(tasks: RawTask[]): void {
  tasks.forEach((task, i) => {
    if (task.number !== null && task.number !== i + 1) {
      throw TaskListError.at(
        task.line,
        `tasks.${i + 1}`,
        `this is task ${i + 1} of the list but says Task ${task.number}: number tasks 1, 2, 3… in order (templates such as {{tasks.N.result}} count by position)`,
      );
    }
  });
}
