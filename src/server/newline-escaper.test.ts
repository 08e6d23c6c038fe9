import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { copyEscapingNewlines, jsonStringMaxBytes, writeJsonString } from "./json-string.js";
import { type NewlineEscaper, newlineEscaper } from "./newline-escaper.js";

const BUILD_WASM = fileURLToPath(new URL("../../scripts/build-wasm.mjs", import.meta.url));

/** Both paths on the same input: the WebAssembly one and the JavaScript word loop. */
function bothWays(escaper: NewlineEscaper, bytes: Buffer): [string | number, string | number] {
  const room = 2 * bytes.length + 16;
  const viaSimd = Buffer.alloc(room);
  const viaJs = Buffer.alloc(room);
  const simdEnd = escaper.copy(bytes, viaSimd, 3);
  const jsEnd = copyEscapingNewlines(bytes, viaJs, 3);
  const text = (buffer: Buffer, end: number) => (end < 0 ? end : buffer.toString("latin1", 3, end));
  return [text(viaSimd, simdEnd), text(viaJs, jsEnd)];
}

function loadedEscaper(): NewlineEscaper {
  const escaper = newlineEscaper();
  // Node ≥ 20 has WebAssembly SIMD: without it the fast path would silently be off.
  if (!escaper) throw new Error("the WebAssembly newline escaper did not load");
  return escaper;
}

describe("newline escaper (WebAssembly SIMD)", () => {
  it("is the compiled newline-escaper.wat", () => {
    expect(() => execFileSync(process.execPath, [BUILD_WASM, "--check"])).not.toThrow();
  });

  it("copies like the JavaScript path: every length around the 16-byte vectors, every newline place", () => {
    const escaper = loadedEscaper();
    for (let length = 0; length <= 70; length++) {
      for (let newlineAt = -1; newlineAt < length; newlineAt++) {
        const bytes = Buffer.alloc(length, 0x61);
        if (newlineAt >= 0) bytes[newlineAt] = 0x0a;
        const [simd, js] = bothWays(escaper, bytes);
        expect(simd).toBe(js);
        expect(simd).toBe(bytes.toString("latin1").replaceAll("\n", "\\n"));
      }
    }
  });

  it("declines every byte that needs another escape, before, after or between newlines", () => {
    const escaper = loadedEscaper();
    const specials = [...Array(0x20).keys()].filter((b) => b !== 0x0a).concat([0x22, 0x5c]);
    const line = Buffer.from("ab\ncdefgh\nijklmnopqrstuvwxyz\n0123456789\n\n");
    for (const special of specials) {
      for (let at = 0; at < line.length; at++) {
        if (line[at] === 0x0a) continue;
        const bytes = Buffer.from(line);
        bytes[at] = special;
        expect(bothWays(escaper, bytes)).toEqual([-1, -1]);
      }
    }
  });

  it("agrees with the JavaScript path on random text of every newline density, up to 64 KiB", () => {
    const escaper = loadedEscaper();
    const alphabet = Buffer.from("abcdefghijklmnopqrstuvwxyz0123456789 ✓é🚀");
    for (const newlineShare of [0, 0.02, 0.2, 0.6, 1]) {
      for (const length of [1, 15, 16, 17, 31, 33, 1000, 4096, 64 * 1024]) {
        const bytes = Buffer.alloc(length);
        const noise = randomBytes(length);
        for (let i = 0; i < length; i++) {
          const n = noise[i] as number;
          bytes[i] = n / 256 < newlineShare ? 0x0a : (alphabet[n % alphabet.length] as number);
        }
        const [simd, js] = bothWays(escaper, bytes);
        expect(simd).toBe(js);
      }
    }
  });

  it("leaves chunks larger than its memory to the JavaScript path, with the same result", () => {
    const text = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz héllo ✓\n".repeat(3000));
    expect(text.length).toBeGreaterThan(loadedEscaper().maxInputBytes);
    expect(() => loadedEscaper().copy(text, Buffer.alloc(2 * text.length), 0)).toThrow(RangeError);
    const target = Buffer.alloc(jsonStringMaxBytes(text));
    const end = writeJsonString(text, target, 0);
    expect(target.subarray(0, end).toString()).toBe(JSON.stringify(text.toString()));
  });
});
