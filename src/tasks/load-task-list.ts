/**
 * From a file or an API value to the list the runner runs: parsed by format (chosen by the file
 * extension), validated by the one schema, template references checked, defaults applied and
 * relative `cwd`s made absolute. Every problem is a TaskListError naming file, line and field.
 */
import { readFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import type * as z from "../protocol/zod.js";
import { closestWord } from "../runtime/closest-word.js";
import type { ParsedListSource } from "./parse-structured.js";
import { fieldName, TaskListError, type TaskListIssue } from "./task-list-error.js";
import {
  DEFAULT_RETRY_DELAY_MS,
  type ResolvedTask,
  type ResolvedTaskList,
  TASK_SETTING_KEYS,
  TaskListDefinition,
  type TaskListFormat,
} from "./task-list-schema.js";
import { checkReferences } from "./templating.js";

const FORMATS: Record<string, Exclude<TaskListFormat, "inline">> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".json": "json",
  ".yaml": "yaml",
  ".yml": "yaml",
};

/** Task list files are small; a bigger one is a mistake (a log, a binary). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

export function formatOf(path: string): Exclude<TaskListFormat, "inline"> | null {
  return FORMATS[extname(path).toLowerCase()] ?? null;
}

export async function loadTaskListFile(path: string): Promise<ResolvedTaskList> {
  const file = resolve(path);
  const format = formatOf(file);
  if (!format) {
    throw new TaskListError([
      {
        file,
        line: null,
        field: null,
        message: `unknown task list format ${JSON.stringify(extname(file))}: use .md, .json, .yaml or .yml`,
      },
    ]);
  }
  let text: string;
  try {
    const data = await readFile(file);
    if (data.length > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
    text = data.toString("utf8");
  } catch (error) {
    throw new TaskListError([
      { file, line: null, field: null, message: `cannot read: ${(error as Error).message}` },
    ]);
  }
  return parseTaskListText(text, format, { file, baseDir: dirname(file) });
}

export async function parseTaskListText(
  text: string,
  format: Exclude<TaskListFormat, "inline">,
  options: { file: string | null; baseDir: string },
): Promise<ResolvedTaskList> {
  let source: ParsedListSource;
  try {
    // Loaded on first use: the YAML reader is not needed by a server that runs no file lists.
    if (format === "markdown") {
      source = (await import("./markdown/parse-markdown.js")).parseMarkdown(text);
    } else {
      source = (await import("./parse-structured.js")).parseStructured(text, format);
    }
  } catch (error) {
    if (error instanceof TaskListError) throw error.withFile(options.file);
    throw error;
  }
  return resolveTaskList(source.value, {
    source,
    file: options.file,
    format,
    baseDir: options.baseDir,
  });
}

export interface ResolveOptions {
  source: ParsedListSource | null;
  file: string | null;
  format: TaskListFormat;
  baseDir: string;
}

/** Validates a parsed (or API) value and resolves it; throws TaskListError. */
export function resolveTaskList(value: unknown, options: ResolveOptions): ResolvedTaskList {
  const { source, file } = options;
  const parsed = TaskListDefinition.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => issuesOf(issue, source, file));
    throw new TaskListError(issues.slice(0, 20));
  }
  const list = parsed.data;
  const problems: TaskListIssue[] = [];
  list.tasks.forEach((task, index) => {
    const key = task.command?.trim() ? "command" : "prompt";
    const text = (key === "command" ? task.command : task.prompt) ?? "";
    for (const problem of checkReferences(text, index)) {
      problems.push({
        file,
        line: source?.textLineOf(["tasks", index, key], problem.offset) ?? null,
        field: `tasks.${index + 1}.${key}`,
        message: problem.message,
      });
    }
  });
  if (problems.length > 0) throw new TaskListError(problems);
  const tasks = list.tasks.map((task, index): ResolvedTask => {
    const isCommand = Boolean(task.command?.trim());
    const seconds = (value: number | undefined) =>
      value === undefined ? null : Math.round(value * 1000);
    return {
      index,
      name: task.name ?? null,
      kind: isCommand ? "command" : "prompt",
      text: ((isCommand ? task.command : task.prompt) ?? "").trim(),
      cwd: resolve(options.baseDir, task.cwd ?? list.cwd ?? "."),
      timeoutMs: seconds(task.timeout ?? list.timeout),
      idleTimeoutMs: seconds(task.idle_timeout ?? list.idle_timeout),
      model: task.model ?? list.model ?? null,
      allowedTools: task.allowed_tools ?? list.allowed_tools ?? null,
      permissionMode: task.permission_mode ?? list.permission_mode ?? null,
      maxTurns: task.max_turns ?? list.max_turns ?? null,
      retries: task.retries ?? list.retries ?? 0,
      verifyUuid: task.verify_uuid ?? list.verify_uuid ?? false,
      verify: task.verify ?? list.verify ?? null,
      env: list.env || task.env ? { ...list.env, ...task.env } : null,
      continueOnFailure: task.continue_on_failure ?? list.continue_on_failure,
      line: source?.lineOf(["tasks", index]) ?? null,
    };
  });
  return {
    name: list.name ?? null,
    description: list.description ?? null,
    sourcePath: file,
    format: options.format,
    baseDir: options.baseDir,
    continueOnFailure: list.continue_on_failure,
    retryDelayMs:
      list.retry_delay === undefined ? DEFAULT_RETRY_DELAY_MS : Math.round(list.retry_delay * 1000),
    tasks,
  };
}

function issuesOf(
  issue: z.core.$ZodIssue,
  source: ParsedListSource | null,
  file: string | null,
): TaskListIssue[] {
  if (issue.code === "unrecognized_keys") {
    const known =
      issue.path.length === 0
        ? [...TASK_SETTING_KEYS, "tasks", "description", "retry_delay"]
        : TASK_SETTING_KEYS;
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const hint = closest(key, known);
      return {
        file,
        line: source?.lineOf(path) ?? null,
        field: fieldName(path),
        message: `unknown setting${hint ? ` (did you mean ${hint}?)` : ""}`,
      };
    });
  }
  return [
    {
      file,
      line: source?.lineOf(issue.path) ?? null,
      field: fieldName(issue.path),
      message: issue.message,
    },
  ];
}

/** The known key nearest to a misspelt one (idle-timeout → idle_timeout), if near enough. */
function closest(key: string, known: readonly string[]): string | null {
  return closestWord(key.toLowerCase().replaceAll("-", "_"), known);
}
