/**
 * Earlier results in later tasks (DESIGN §7): `{{tasks.N.result}}` (N counts from 1),
 * `{{previous.result}}`, and a few more fields, checked when the list is loaded (a task may only
 * refer to tasks before it) and filled in just before the task runs.
 *
 * In a prompt a reference becomes the text itself. In a command it becomes ONE shell word,
 * single-quoted, so a result can never inject shell syntax: `echo {{previous.result}}` is safe.
 * `{{…}}` that does not start with `tasks.`, `previous.` or `run.` is left alone.
 */

export const TASK_FIELDS = ["result", "status", "exit_code", "file", "json"] as const;
export const RUN_FIELDS = ["id", "dir"] as const;
export type TaskField = (typeof TASK_FIELDS)[number];
export type RunField = (typeof RUN_FIELDS)[number];

export type Reference =
  | { namespace: "tasks"; task: number; field: TaskField }
  | { namespace: "previous"; field: TaskField }
  | { namespace: "run"; field: RunField };

export interface FoundReference {
  /** The whole `{{ … }}`. */
  raw: string;
  /** Character offset in the text. */
  offset: number;
  reference: Reference | null;
  /** Why it is not a valid reference (when `reference` is null). */
  problem: string | null;
}

const BRACES = /\{\{\s*([^{}]*?)\s*\}\}/g;
const OURS = /^(tasks|previous|run)\b/;

export function findReferences(text: string): FoundReference[] {
  const found: FoundReference[] = [];
  for (const match of text.matchAll(BRACES)) {
    const inner = match[1] ?? "";
    if (!OURS.test(inner)) continue;
    const parsed = parseReference(inner);
    found.push({
      raw: match[0],
      offset: match.index ?? 0,
      reference: typeof parsed === "string" ? null : parsed,
      problem: typeof parsed === "string" ? parsed : null,
    });
  }
  return found;
}

function parseReference(inner: string): Reference | string {
  const parts = inner.split(".");
  const fieldList = TASK_FIELDS.join(", ");
  if (parts[0] === "tasks") {
    const [, number, field] = parts;
    if (parts.length !== 3 || !number || !/^\d+$/.test(number) || Number(number) < 1) {
      return `{{${inner}}}: expected {{tasks.N.<field>}} with N counting from 1`;
    }
    if (!isTaskField(field)) return `{{${inner}}}: unknown field ${field} (one of ${fieldList})`;
    return { namespace: "tasks", task: Number(number), field };
  }
  if (parts[0] === "previous") {
    const field = parts[1];
    if (parts.length !== 2 || !isTaskField(field)) {
      return `{{${inner}}}: expected {{previous.<field>}} with a field of ${fieldList}`;
    }
    return { namespace: "previous", field };
  }
  const field = parts[1];
  if (parts.length !== 2 || !RUN_FIELDS.includes(field as RunField)) {
    return `{{${inner}}}: expected {{run.id}} or {{run.dir}}`;
  }
  return { namespace: "run", field: field as RunField };
}

function isTaskField(value: string | undefined): value is TaskField {
  return TASK_FIELDS.includes(value as TaskField);
}

/** Problems with the references of task `index` (0-based): unknown names, later tasks. */
export function checkReferences(
  text: string,
  index: number,
): Array<{ offset: number; message: string }> {
  const problems: Array<{ offset: number; message: string }> = [];
  for (const found of findReferences(text)) {
    const { reference } = found;
    if (!reference) {
      problems.push({ offset: found.offset, message: found.problem ?? "bad reference" });
    } else if (reference.namespace === "previous" && index === 0) {
      problems.push({
        offset: found.offset,
        message: `${found.raw}: the first task has no previous task`,
      });
    } else if (reference.namespace === "tasks" && reference.task > index) {
      const before = index === 0 ? "none runs before the first task" : `tasks 1–${index}`;
      problems.push({
        offset: found.offset,
        message: `${found.raw}: task ${index + 1} can only use tasks that run before it (${before})`,
      });
    }
  }
  return problems;
}

/** What a reference can read about an earlier task. */
export interface TaskValues {
  result: string;
  status: string;
  exitCode: number | null;
  /** Paths of runs/<run-id>/task-N.md and .json. */
  file: string;
  json: string;
}

export interface TemplateContext {
  runId: string;
  runDir: string;
  /** 0-based index of the task being filled in. */
  index: number;
  /** Values of earlier tasks by 0-based index. */
  task(index: number): TaskValues | null;
}

/** Fills in the references; `quote` makes each value one shell word (for commands). */
export function renderTemplate(text: string, context: TemplateContext, quote: boolean): string {
  if (!text.includes("{{")) return text;
  return text.replace(BRACES, (raw, inner: string) => {
    if (!OURS.test(inner)) return raw;
    const reference = parseReference(inner);
    if (typeof reference === "string") throw new Error(reference);
    const value = referenceValue(reference, context);
    return quote ? shellQuote(value) : value;
  });
}

function referenceValue(reference: Reference, context: TemplateContext): string {
  if (reference.namespace === "run") {
    return reference.field === "id" ? context.runId : context.runDir;
  }
  const target = reference.namespace === "previous" ? context.index - 1 : reference.task - 1;
  const values = target >= 0 && target < context.index ? context.task(target) : null;
  if (!values) {
    throw new Error(`{{${describe(reference)}}}: task ${target + 1} has not run`);
  }
  switch (reference.field) {
    case "result":
      return values.result;
    case "status":
      return values.status;
    case "exit_code":
      return values.exitCode === null ? "" : String(values.exitCode);
    case "file":
      return values.file;
    case "json":
      return values.json;
  }
}

function describe(reference: Reference): string {
  if (reference.namespace === "tasks") return `tasks.${reference.task}.${reference.field}`;
  return `${reference.namespace}.${reference.field}`;
}

/** POSIX single quotes: 'it'\''s' — safe for any text in sh, bash and zsh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
