/** Cutting byte buffers of text without splitting a UTF-8 character (base64 data cuts anywhere). */

/** `bytes` up to at most `limit`, ending on a character boundary. */
export function cutBefore(bytes: Buffer, limit: number, encoding: "utf8" | "base64"): Buffer {
  let cut = Math.min(limit, bytes.length);
  if (encoding === "utf8") while (cut > 0 && cut < bytes.length && continuation(bytes[cut])) cut--;
  return bytes.subarray(0, cut);
}

/** `bytes` from `start` (or the next character boundary after it) to the end. */
export function cutAfter(bytes: Buffer, start: number, encoding: "utf8" | "base64"): Buffer {
  let cut = Math.max(0, start);
  if (encoding === "utf8") while (cut < bytes.length && continuation(bytes[cut])) cut++;
  return bytes.subarray(cut);
}

function continuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}
