/**
 * Splits text that arrives in pieces into whole lines. Output chunks never split a UTF-8
 * character, so pieces can be decoded one by one; a line may still span many pieces. A line
 * longer than `maxLineChars` is dropped (it cannot be a stream-json event worth parsing).
 */
export class LineSplitter {
  private held: string[] = [];
  private heldChars = 0;
  private skipping = false;

  constructor(private readonly maxLineChars = 64 * 1024 * 1024) {}

  /** The complete, non-empty lines the piece finishes, in order. */
  push(piece: string): string[] {
    const last = piece.lastIndexOf("\n");
    if (last < 0) {
      this.hold(piece);
      return [];
    }
    let text = piece.slice(0, last);
    if (this.held.length > 0) text = this.held.join("") + text;
    const lines = text.split("\n");
    if (this.skipping) lines.shift();
    this.held = [];
    this.heldChars = 0;
    this.skipping = false;
    this.hold(piece.slice(last + 1));
    return lines.filter((line) => line.length > 0);
  }

  /** What is left when the stream ends (a last line without a newline). */
  end(): string[] {
    const rest = this.skipping ? "" : this.held.join("");
    this.held = [];
    this.heldChars = 0;
    this.skipping = false;
    return rest.length > 0 ? [rest] : [];
  }

  private hold(text: string): void {
    if (text.length === 0 || this.skipping) return;
    this.held.push(text);
    this.heldChars += text.length;
    if (this.heldChars > this.maxLineChars) {
      this.held = [];
      this.heldChars = 0;
      this.skipping = true;
    }
  }
}
