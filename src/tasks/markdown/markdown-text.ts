/**
 * Lines of a Markdown task list and the text helpers its parser shares: fenced code blocks
 * (where no line starts a task), a task text that is exactly one shell block, blank-line
 * trimming and dedenting.
 */

export interface Line {
  number: number;
  text: string;
}

const FENCE_OPEN = /^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const SHELL_LANGS = new Set(["sh", "bash", "shell", "zsh", "console", "command"]);

/** Whether line `index` lies inside a fenced code block (its fence lines included). */
export function insideFence(lines: Line[], index: number): boolean {
  let open: string | null = null;
  for (let i = 0; i < index; i++) open = nextFenceState(open, lines[i]?.text ?? "");
  return open !== null;
}

/** The fence still open after `text` (null: none), given the one open before it. */
export function nextFenceState(open: string | null, text: string): string | null {
  const fence = FENCE_OPEN.exec(text);
  if (open === null) return fence ? (fence[1] as string) : null;
  const closing = text.trim();
  const char = open[0] as string;
  if (closing.length >= open.length && [...closing].every((c) => c === char)) return null;
  return open;
}

export function trimBlank(lines: Line[]): Line[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start]?.text.trim() ?? "") === "") start++;
  while (end > start && (lines[end - 1]?.text.trim() ?? "") === "") end--;
  return lines.slice(start, end);
}

/** The command of a text that is exactly one ```sh block, with its lines. */
export function shellFence(lines: Line[]): { text: string; lines: number[] } | null {
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

export function dedent(lines: Line[]): string {
  const indents = lines
    .filter((line) => line.text.trim() !== "")
    .map((line) => /^[ \t]*/.exec(line.text)?.[0].length ?? 0);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines
    .map((line) => line.text.slice(cut).trimEnd())
    .join("\n")
    .trim();
}
