/**
 * The one-line spinner of `cc-executor claude` while the model thinks or a tool runs:
 * `⠹ thinking · 12 s · ↓ 340 tokens`, redrawn in place on a terminal. Output tokens are what the
 * API reported (`message_start`/`message_delta` usage) or, while a message streams, about one per
 * four characters of it — whichever is larger.
 */
import { CLEAR_LINE, paint } from "./terminal-style.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 120;

interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

export interface SpinnerOptions {
  colour: boolean;
  redrawMs?: number | undefined;
  now?: (() => number) | undefined;
}

export class ClaudeSpinner {
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;
  private paused = false;
  private frame = 0;
  private label = "thinking";
  private startedMs = 0;
  /** Output tokens of finished messages, and of the one being written. */
  private doneTokens = 0;
  private messageTokens = 0;
  private messageChars = 0;
  private readonly now: () => number;

  constructor(
    private readonly out: Terminal,
    private readonly options: SpinnerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(label: string): void {
    this.label = label;
    if (this.timer) return;
    this.startedMs = this.now();
    this.timer = setInterval(() => this.show(), this.options.redrawMs ?? REDRAW_MS);
    this.timer.unref();
    this.show();
  }

  /** Started and not yet stopped. */
  get running(): boolean {
    return this.timer !== null;
  }

  setLabel(label: string): void {
    this.label = label;
  }

  startMessage(): void {
    this.messageTokens = 0;
    this.messageChars = 0;
  }

  reportTokens(tokens: number): void {
    this.messageTokens = Math.max(this.messageTokens, tokens);
  }

  addOutput(text: string): void {
    this.messageChars += text.length;
    this.messageTokens = Math.max(this.messageTokens, Math.ceil(this.messageChars / 4));
  }

  endMessage(): void {
    this.doneTokens += this.messageTokens;
    this.startMessage();
  }

  get outputTokens(): number {
    return this.doneTokens + this.messageTokens;
  }

  /** Draws the line now (when running and not paused). */
  show(): void {
    if (!this.timer || this.paused) return;
    const seconds = Math.max(0, Math.floor((this.now() - this.startedMs) / 1000));
    const tokens = this.outputTokens;
    const parts = [`${FRAMES[this.frame++ % FRAMES.length]} ${this.label}`, `${seconds} s`];
    if (tokens > 0) parts.push(`↓ ${tokens} token${tokens === 1 ? "" : "s"}`);
    const width = Math.max(20, (this.out.columns || 80) - 1);
    let line = parts.join(" · ");
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    this.out.write(CLEAR_LINE + paint(this.options.colour, "dim", line));
    this.drawn = true;
  }

  /** Erases the line (before other output is written). */
  hide(): void {
    if (this.drawn) this.out.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** Text is streaming on the spinner's line: stay away until `resume`. */
  pause(): void {
    this.hide();
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.show();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.hide();
  }
}
