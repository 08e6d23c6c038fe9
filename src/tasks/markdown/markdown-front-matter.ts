/**
 * The YAML front matter of a Markdown task list (`---` … `---` before the first task): the
 * list's settings, and the source line of each of them for error messages.
 */
import { isMap, LineCounter, parseDocument } from "yaml";
import { TaskListError } from "../task-list-error.js";
import type { Line } from "./markdown-text.js";

export interface FrontMatter {
  value: Record<string, unknown>;
  /** Lines the front matter takes (0: none), fences included. */
  consumed: number;
  lineOf(path: ReadonlyArray<PropertyKey>): number | null;
}

export function readFrontMatter(lines: Line[]): FrontMatter {
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
