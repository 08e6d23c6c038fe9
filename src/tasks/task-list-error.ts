/**
 * Why a task list was refused, pointing at the place: `tasks.md:14: tasks.2.timeout: expected
 * seconds …`. Fields are named as paths with tasks counted from 1, like `{{tasks.N.result}}`.
 */
export interface TaskListIssue {
  /** The list's file, or null for an API value. */
  file: string | null;
  /** 1-based line in the file, when known. */
  line: number | null;
  /** e.g. `tasks.2.timeout`, `continue_on_failure`; null for the file as a whole. */
  field: string | null;
  message: string;
}

export class TaskListError extends Error {
  override name = "TaskListError";

  constructor(readonly issues: TaskListIssue[]) {
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(first ? `${formatIssue(first)}${more}` : "invalid task list");
  }

  /** One issue as a TaskListError (parsers use this; the loader adds the file). */
  static at(line: number | null, field: string | null, message: string): TaskListError {
    return new TaskListError([{ file: null, line, field, message }]);
  }

  /** The same issues, for the file `file`. */
  withFile(file: string | null): TaskListError {
    return new TaskListError(this.issues.map((issue) => ({ ...issue, file })));
  }

  /** Every issue, one a line. */
  describe(): string {
    return this.issues.map(formatIssue).join("\n");
  }
}

export function formatIssue(issue: TaskListIssue): string {
  const where = issue.file ?? "task list";
  const line = issue.line !== null ? `:${issue.line}` : "";
  const field = issue.field ? `${issue.field}: ` : "";
  return `${where}${line}: ${field}${issue.message}`;
}

/** A zod path (0-based task indexes) as people read it: tasks counted from 1. */
export function fieldName(path: ReadonlyArray<PropertyKey>): string | null {
  if (path.length === 0) return null;
  const parts = path.map((part, i) =>
    typeof part === "number" && path[i - 1] === "tasks" ? String(part + 1) : String(part),
  );
  return parts.join(".");
}
