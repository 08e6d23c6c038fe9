/**
 * One task of a Markdown list, from its first line and body to the fields the schema checks:
 * the `key: value` settings right after its first line (a near-miss of a known key is an error,
 * not prompt text), then its prompt — or its command, when the text is one shell block — with
 * the source line of every field and text line for error messages.
 */
import { parse as parseYaml } from "yaml";
import { TaskListError } from "../task-list-error.js";
import { TASK_SETTING_KEYS } from "../task-list-schema.js";
import { dedent, type Line, shellFence, trimBlank } from "./markdown-text.js";

const SETTING = /^\s*(?:[-*]\s+)?([a-z][a-z_-]*)\s*:\s*(.*?)\s*$/;
/** Settings kept as written (never read as YAML): text where `: ` or quotes are ordinary. */
const TEXT_SETTINGS = new Set(["name", "command", "cwd", "model", "permission_mode"]);

/** A task as the list's lines delimit it: where it starts, its title, the lines below. */
export interface RawTask {
  line: number;
  /** Heading tasks: the heading level and title. */
  level: number | null;
  title: string;
  number: number | null;
  body: Line[];
}

export interface TaskSource {
  line: number;
  fields: Map<string, number>;
  /** Source line of each line of the prompt or command text. */
  textLines: number[];
}

export function readTask(
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
  } else if (value.command !== undefined && rest.length === 0) {
    // `Task 1: list files` then `command: ls -la`: the words after the colon name the command,
    // as a heading's title does.
    if (task.title && value.name === undefined) value.name = task.title;
    textLines = [];
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
