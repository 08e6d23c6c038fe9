/**
 * Drops the escape sequences a child's output could use to act outside the terminal view
 * (DESIGN §11, §14): every OSC (ESC ] … — window title 0/1/2, hyperlinks 8, clipboard 52, colour
 * changes) and the other string sequences DCS (ESC P), SOS (ESC X), PM (ESC ^), APC (ESC _), in
 * their 7-bit and C1 forms. Colours and cursor movement (CSI) pass. Stateful: a sequence split
 * across output chunks is still dropped whole.
 */

const ESC = "\x1b";
const BEL = "\x07";
/** C1 string terminator. */
const ST = "\x9c";
/** Final bytes after ESC that open a string sequence. */
const STRING_OPENERS = new Set(["]", "P", "X", "^", "_"]);
/** The same openers as single C1 characters (OSC, DCS, SOS, PM, APC). */
const C1_OPENERS = new Set(["\x9d", "\x90", "\x98", "\x9e", "\x9f"]);

export class EscapeFilter {
  /** Inside a string sequence: everything is dropped until its terminator. */
  private inString = false;
  /** The chunk ended on an ESC whose meaning depends on the next character. */
  private pendingEsc = false;

  push(chunk: string): string {
    let out = "";
    let i = 0;
    if (this.pendingEsc) {
      this.pendingEsc = false;
      chunk = ESC + chunk;
    }
    while (i < chunk.length) {
      const ch = chunk[i] as string;
      if (this.inString) {
        if (ch === BEL || ch === ST) {
          this.inString = false;
          i++;
        } else if (ch === ESC) {
          if (i + 1 >= chunk.length) {
            this.pendingEsc = true;
            return out;
          }
          // ESC \ ends the string; any other ESC aborts it, and is then read afresh.
          this.inString = false;
          i += chunk[i + 1] === "\\" ? 2 : 0;
        } else {
          i++;
        }
        continue;
      }
      // Copy the plain run up to the next ESC or C1 opener in one slice.
      let end = i;
      while (end < chunk.length && chunk[end] !== ESC && !C1_OPENERS.has(chunk[end] as string))
        end++;
      out += chunk.slice(i, end);
      i = end;
      if (i >= chunk.length) break;
      if (chunk[i] === ESC) {
        if (i + 1 >= chunk.length) {
          this.pendingEsc = true;
          break;
        }
        if (STRING_OPENERS.has(chunk[i + 1] as string)) {
          this.inString = true;
          i += 2;
        } else {
          out += ESC;
          i++;
        }
      } else {
        this.inString = true;
        i++;
      }
    }
    return out;
  }
}
