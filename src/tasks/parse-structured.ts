/**
 * Task lists in JSON or YAML, read with the `yaml` package so every value keeps its position:
 * a schema error can name its line. JSON is checked with JSON.parse first (YAML would accept
 * things a .json file must not have), then read again for positions.
 */
import { isScalar, LineCounter, type Node, parseDocument, Scalar } from "yaml";
import { TaskListError } from "./task-list-error.js";

export interface ParsedListSource {
  value: unknown;
  /** The line of the value at `path`, or of its nearest ancestor that exists. */
  lineOf(path: ReadonlyArray<PropertyKey>): number | null;
  /** The line of character `offset` of the text (a prompt or command) at `path`. */
  textLineOf(path: ReadonlyArray<PropertyKey>, offset: number): number | null;
}

export function parseStructured(text: string, format: "json" | "yaml"): ParsedListSource {
  if (format === "json") checkJson(text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [error] = doc.errors;
  if (error) {
    const line = error.pos ? lineCounter.linePos(error.pos[0]).line : null;
    throw TaskListError.at(
      line,
      null,
      `not valid ${format.toUpperCase()}: ${firstLine(error.message)}`,
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw TaskListError.at(null, null, `cannot read the ${format}: ${(cause as Error).message}`);
  }
  const lineOf = (path: ReadonlyArray<PropertyKey>): number | null => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
      const start = node?.range?.[0];
      if (start !== undefined) return lineCounter.linePos(start).line + blockShift(node);
    }
    return null;
  };
  return {
    value,
    lineOf,
    textLineOf(path, offset) {
      const line = lineOf(path);
      const node = doc.getIn(path, true);
      // Folded and quoted scalars do not keep their line breaks: the scalar's own line then.
      if (line === null || !isScalar(node) || node.type !== Scalar.BLOCK_LITERAL) return line;
      const text = String(node.value);
      return line + (text.slice(0, offset).match(/\n/g)?.length ?? 0);
    },
  };
}

/** A block scalar (`prompt: |`) starts on the line after its indicator. */
function blockShift(node: Node | undefined): number {
  if (!isScalar(node)) return 0;
  return node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED ? 1 : 0;
}

function checkJson(text: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // Node 20: "… in JSON at position 42"; newer: "… (line 3 column 5)".
    const lineMatch = /line (\d+) column \d+/.exec(message);
    const positionMatch = /at position (\d+)/.exec(message);
    let line: number | null = null;
    if (lineMatch) line = Number(lineMatch[1]);
    else if (positionMatch) line = text.slice(0, Number(positionMatch[1])).split("\n").length;
    throw TaskListError.at(line, null, `not valid JSON: ${message}`);
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
