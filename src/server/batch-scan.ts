/**
 * How many items a JSON-RPC batch holds, read before the frame is parsed: refusing a 1 MiB
 * batch of 524k `1`s must not cost parsing it (a ~10 ms stall of every other client, and 4 MB of
 * garbage, per frame). Counts the commas at the top level of an array, skipping strings and
 * nested values, and stops as soon as the count passes the limit. It validates nothing:
 * JSON.parse still reads every frame this lets through.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * True when the UTF-8 `frame` starts an array (after whitespace) with more than `maxItems` items.
 * Bytes, not a string: the structural characters are single bytes in UTF-8, and no string of a
 * frame about to be refused is made on the V8 heap.
 */
export function batchExceeds(frame: Uint8Array, maxItems: number): boolean {
  let i = 0;
  while (i < frame.length && WHITESPACE.has(frame[i] as number)) i++;
  if (frame[i] !== OPEN_BRACKET) return false;
  let depth = 0;
  let commas = 0;
  for (; i < frame.length; i++) {
    const code = frame[i];
    if (code === QUOTE) {
      for (i++; i < frame.length; i++) {
        const inner = frame[i];
        if (inner === BACKSLASH) i++;
        else if (inner === QUOTE) break;
      }
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      depth++;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
      if (depth === 0) return false;
    } else if (code === COMMA && depth === 1) {
      commas++;
      // n commas separate n + 1 items.
      if (commas >= maxItems) return true;
    }
  }
  return false;
}
