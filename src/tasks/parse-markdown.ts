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
import { isMap, LineCounter, parseDocument, parse as parseYaml } from "yaml";
import type { ParsedListSource } from "./parse-structured.js";
import { TaskListError } from "./task-list-error.js";
import { TASK_SETTING_KEYS } from "./task-list-schema.js";

interface Line {
  number: number;
  text: string;
}

interface RawTask {
  line: number;
  /** Heading tasks: the heading level and title. */
  level: number | null;
  title: string;
  number: number | null;
  body: Line[];
}

interface TaskSource {
  line: number;
  fields: Map<string, number>;
  /** Source line of each line of the prompt or command text. */
  textLines: number[];
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const HEADING_TASK = /^Task(?:\s+(\d+))?\s*(?:\(([^)]*)\))?\s*(?:([:.)\-–—])\s*(.*))?$/i;
const ITEM_TASK =
  /^\s{0,3}(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?Task\s+(\d+)\s*(?:\([^)]*\))?\s*(?:\*\*|__)?\s*[:.\-–—]\s*(?:\*\*|__)?\s*(.*)$/i;
const FENCE_OPEN = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const SETTING = /^\s*(?:[-*]\s+)?([a-z][a-z_-]*)\s*:\s*(.*?)\s*$/;
const SHELL_LANGS = new Set(["sh", "bash", "shell", "zsh", "console", "command"]);
/** Settings kept as written (never read as YAML): text where `: ` or quotes are ordinary. */
const TEXT_SETTINGS = new Set(["name", "command", "cwd", "model", "permission_mode"]);

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

interface FrontMatter {
  value: Record<string, unknown>;
  consumed: number;
  lineOf(path: ReadonlyArray<PropertyKey>): number | null;
}

function readFrontMatter(lines: Line[]): FrontMatter {
  const none: FrontMatter = { value: {}, consumed: 0, lineOf: () => null };
  if (lines[0]?.text.trim() !== "---") return none;
  const end = lines.findIndex((line, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(line.text));
  if (end < 0) throw TaskListError.at(1, null, "front matter opened with --- is never closed");
  const yamlText = lines
    .slice(1, end)
    .map((line) => line.text)
    .join("\n");
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    // Lines of the YAML count from the line after the opening ---.
    const line = error.pos ? lineCounter.linePos(error.pos[0]).line + 1 : 1;
    throw TaskListError.at(
      line,
      null,
      `front matter is not valid YAML: ${error.message.split("\n")[0]}`,
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw TaskListError.at(2, null, "front matter must hold `key: value` settings");
  }
  const value = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
  return {
    value,
    consumed: end + 1,
    lineOf(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth), true) as { range?: number[] } | undefined;
        const start = node?.range?.[0];
        if (start !== undefined) return lineCounter.linePos(start).line + 1;
      }
      return 1;
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

/** Whether line `index` lies inside a fenced code block (its fence lines included). */
function insideFence(lines: Line[], index: number): boolean {
  let open: string | null = null;
  for (let i = 0; i < index; i++) open = nextFenceState(open, lines[i]?.text ?? "");
  return open !== null;
}

/** The fence still open after `text` (null: none), given the one open before it. */
function nextFenceState(open: string | null, text: string): string | null {
  const fence = FENCE_OPEN.exec(text);
  if (open === null) return fence ? (fence[1] as string) : null;
  const closing = text.trim();
  const char = open[0] as string;
  if (closing.length >= open.length && [...closing].every((c) => c === char)) return null;
  return open;
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

function readTask(
  task: RawTask,
  field: string,
): { value: Record<string, unknown>; source: TaskSource } {
  const value: Record<string, unknown> = {};
  const fields = new Map<string, number>();
  const body = [...task.body];
  // Settings: `key: value` lines right after the first line (blank lines before them allowed).
  let i = 0;
  while (i < body.length && (body[i]?.text.trim() ?? "") === "") i++;
  for (; i < body.length; i++) {
    const line = body[i] as Line;
    const setting = SETTING.exec(line.text);
    const key = setting?.[1];
    if (!setting || !key) break;
    if (!TASK_SETTING_KEYS.includes(key)) {
      const meant = misspeltSetting(key);
      if (meant) {
        throw TaskListError.at(
          line.number,
          `${field}.${key}`,
          `unknown setting (did you mean ${meant}?)`,
        );
      }
      break;
    }
    if (fields.has(key)) {
      throw TaskListError.at(line.number, `${field}.${key}`, "set twice for this task");
    }
    value[key] = settingValue(key, setting[2] ?? "", line.number, `${field}.${key}`);
    fields.set(key, line.number);
  }
  const rest = trimBlank(body.slice(fields.size > 0 ? i : 0));
  const fenced = shellFence(rest);
  let textLines: number[];
  if (fenced && value.command === undefined) {
    value.command = fenced.text;
    fields.set("command", fenced.lines[0] ?? task.line);
    textLines = fenced.lines;
    if (task.title && value.name === undefined) value.name = task.title;
  } else if (task.level !== null) {
    if (task.title && value.name === undefined) value.name = task.title;
    textLines = rest.map((line) => line.number);
    if (rest.length > 0 || value.command === undefined) {
      value.prompt = dedent(rest);
      fields.set("prompt", rest[0]?.number ?? task.line);
    }
  } else {
    const lines = task.title ? [{ number: task.line, text: task.title }, ...rest] : rest;
    textLines = lines.map((line) => line.number);
    if (lines.length > 0 || value.command === undefined) {
      value.prompt = [task.title, dedent(rest)].filter(Boolean).join("\n");
      fields.set("prompt", task.line);
    }
  }
  if (value.command !== undefined && !fenced) textLines = [fields.get("command") ?? task.line];
  return { value, source: { line: task.line, fields, textLines } };
}

/** `timout` or `idle-timeout` where a setting belongs is a typo, not prompt text. */
function misspeltSetting(key: string): string | null {
  const normalised = key.replaceAll("-", "_");
  if (TASK_SETTING_KEYS.includes(normalised)) return normalised;
  if (key.length < 5) return null;
  return TASK_SETTING_KEYS.find((known) => withinOneEdit(normalised, known)) ?? null;
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  return restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1);
}

function settingValue(key: string, raw: string, line: number, field: string): unknown {
  if (raw === "") throw TaskListError.at(line, field, "has no value");
  if (TEXT_SETTINGS.has(key)) return unquote(raw);
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function unquote(text: string): string {
  const match = /^(["'])(.*)\1$/.exec(text);
  return match ? (match[2] as string) : text;
}

function trimBlank(lines: Line[]): Line[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start]?.text.trim() ?? "") === "") start++;
  while (end > start && (lines[end - 1]?.text.trim() ?? "") === "") end--;
  return lines.slice(start, end);
}

/** The command of a text that is exactly one ```sh block, with its lines. */
function shellFence(lines: Line[]): { text: string; lines: number[] } | null {
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (!first || !last || lines.length < 2) return null;
  const open = FENCE_OPEN.exec(first.text);
  if (!open || !SHELL_LANGS.has((open[2] ?? "").toLowerCase())) return null;
  if (nextFenceState(open[1] as string, last.text) !== null) return null;
  const inner = lines.slice(1, -1);
  // Only one block: no closing fence before the last line.
  let state: string | null = open[1] as string;
  for (const line of inner) {
    state = nextFenceState(state, line.text);
    if (state === null) return null;
  }
  return { text: dedent(inner), lines: inner.map((line) => line.number) };
}

function dedent(lines: Line[]): string {
  const indents = lines
    .filter((line) => line.text.trim() !== "")
    .map((line) => /^[ \t]*/.exec(line.text)?.[0].length ?? 0);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines
    .map((line) => line.text.slice(cut).trimEnd())
    .join("\n")
    .trim();
}
