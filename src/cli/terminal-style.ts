/**
 * Colours and cursor control on the CLI's terminal output, and child output made safe to show.
 *
 * Colours come from `node:util`'s styleText. Whether colour is on stays the caller's decision (a
 * TTY and no NO_COLOR: `terminalOf`, the printers): styleText's own check on Node 20.20 looks at
 * process.stdout whatever stream the text goes to, and only for a single style, never for an
 * array, so it is turned off with `validateStream: false`.
 */
import { stripVTControlCharacters, styleText } from "node:util";

/** A style name of util.inspect.colors ("dim", "red", …), or several. */
export type Style = Parameters<typeof styleText>[0];

/** `text` in `style` when colour is `on`; as it is otherwise, or when there is no style. */
export function paint(on: boolean, style: Style | null, text: string): string {
  return on && style !== null ? styleText(style, text, { validateStream: false }) : text;
}

/**
 * Back to the start of the line and erase it: how a status line is redrawn in place. Cursor
 * control, not a colour, so it is written whether colour is on or not.
 */
export const CLEAR_LINE = "\r\x1b[2K";

/**
 * A line of a child's output as it may appear inside one of our own lines (the live status
 * line): without escape sequences — a child's colours, a clear screen or cursor moves would
 * repaint the user's terminal — and without other control characters. After a carriage return
 * a terminal shows only what follows it (progress bars), so that is what is kept.
 */
export function displayLine(text: string): string {
  const plain = stripVTControlCharacters(text);
  const shown = plain.slice(plain.lastIndexOf("\r") + 1).replaceAll("\t", " ");
  let line = "";
  for (const char of shown) if (char >= " " && char !== "\x7f") line += char;
  return line.trim();
}
