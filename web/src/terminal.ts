/**
 * The terminal view of an execution's output: xterm.js with its DOM renderer (the text is in the
 * page, for people's tools and for tests), fed through the escape filter, in batches. Output is
 * queued and written at most once per animation frame, and the next batch waits for xterm to
 * finish parsing the previous one: a 10 MB stream then costs a few large writes, never a write
 * per chunk, and the page stays responsive.
 */
import { SearchAddon } from "@xterm/addon-search";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { EscapeFilter } from "./escape-filter.js";

/** The most written to xterm in one go; the rest waits for the next frame. */
const MAX_BATCH_CHARS = 256 * 1024;

const DARK = { background: "#111418", foreground: "#d8dee9", cursor: "#111418" };
const LIGHT = {
  background: "#fbfbfc",
  foreground: "#1f2328",
  cursor: "#fbfbfc",
  selectionBackground: "#b6d4fe",
};

export class TerminalView {
  readonly terminal: Terminal;
  readonly search = new SearchAddon();
  private readonly filter = new EscapeFilter();
  private pending: string[] = [];
  private writing = false;
  private frame = 0;
  private timer = 0;
  private disposed = false;

  constructor(element: HTMLElement, dark: boolean) {
    this.terminal = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      scrollback: 20_000,
      fontSize: 13,
      theme: dark ? DARK : LIGHT,
      // Links are filtered out of the output; no link provider either.
      linkHandler: null,
    });
    this.terminal.loadAddon(this.search);
    this.terminal.open(element);
  }

  /** Queues output; it shows within a frame. */
  write(data: string): void {
    const text = this.filter.push(data);
    if (!text) return;
    this.pending.push(text);
    this.schedule();
  }

  scrollToBottom(): void {
    this.terminal.scrollToBottom();
  }

  resize(columns: number, rows: number): void {
    this.terminal.resize(Math.max(20, columns), Math.max(5, rows));
  }

  dispose(): void {
    this.disposed = true;
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.terminal.dispose();
  }

  private schedule(): void {
    if (this.writing || this.frame || this.timer) return;
    const run = () => {
      cancelAnimationFrame(this.frame);
      clearTimeout(this.timer);
      this.frame = 0;
      this.timer = 0;
      this.flush();
    };
    this.frame = requestAnimationFrame(run);
    // A hidden tab gets no animation frames: the timer (throttled there, but running) keeps the
    // queue from growing until the tab is shown again.
    this.timer = window.setTimeout(run, 250);
  }

  private flush(): void {
    if (this.disposed || this.pending.length === 0) return;
    let batch = this.pending.join("");
    this.pending = [];
    if (batch.length > MAX_BATCH_CHARS) {
      this.pending.push(batch.slice(MAX_BATCH_CHARS));
      batch = batch.slice(0, MAX_BATCH_CHARS);
    }
    this.writing = true;
    this.terminal.write(batch, () => {
      this.writing = false;
      if (this.pending.length) this.schedule();
    });
  }
}
