/**
 * The last part of a command's output, for a model to read (DESIGN §13: at most 20 KB). stdout
 * and stderr are kept as they came, interleaved, because an error message next to the output
 * that led to it is what a model needs. Memory stays bounded whatever the command prints; the
 * whole output is in the execution's history.
 */
export const OUTPUT_TAIL_BYTES = 20 * 1024;

export class OutputTail {
  private text = "";
  private totalBytes = 0;

  constructor(private readonly maxBytes = OUTPUT_TAIL_BYTES) {}

  push(data: string): void {
    this.totalBytes += Buffer.byteLength(data);
    this.text += data;
    // A UTF-8 character is at most 4 bytes: 4 × maxBytes characters always hold the tail.
    if (this.text.length > 8 * this.maxBytes) this.text = this.text.slice(-4 * this.maxBytes);
  }

  get truncated(): boolean {
    return this.totalBytes > this.maxBytes;
  }

  /** The last ≤ maxBytes bytes, starting at a whole character. */
  toString(): string {
    const bytes = Buffer.from(this.text);
    if (bytes.length <= this.maxBytes) return this.text;
    let start = bytes.length - this.maxBytes;
    // Skip UTF-8 continuation bytes (10xxxxxx) so the tail starts at a character.
    while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
    return bytes.subarray(start).toString("utf8");
  }
}
