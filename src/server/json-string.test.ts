import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  jsonStringMaxBytes,
  jsonStringOf,
  needsFullEscape,
  writeJsonString,
} from "./json-string.js";

const asJson = (bytes: Buffer) => JSON.stringify(bytes.toString("utf8"));

describe("jsonStringOf", () => {
  it("equals JSON.stringify for line-heavy text, at every alignment", () => {
    const text = Buffer.from("0123456789 abcdefghij\nhéllo wörld ✓ 🚀\n\n".repeat(50));
    for (let offset = 0; offset < 8; offset++) {
      const bytes = text.subarray(offset, text.length - offset);
      expect(needsFullEscape(bytes)).toBe(false);
      expect(jsonStringOf(bytes, "utf8")).toBe(asJson(bytes));
    }
  });

  it("takes JSON.stringify for every byte that needs escaping, wherever it sits", () => {
    const base = Buffer.from("x".repeat(37));
    const specials = [...Array(0x20).keys()].filter((b) => b !== 0x0a).concat([0x22, 0x5c]);
    for (const special of specials) {
      for (let at = 0; at < base.length; at++) {
        const bytes = Buffer.from(base);
        bytes[at] = special;
        expect(needsFullEscape(bytes)).toBe(true);
        expect(jsonStringOf(bytes, "utf8")).toBe(asJson(bytes));
      }
    }
  });

  it("handles short buffers at every offset of a larger one", () => {
    const parent = Buffer.from('ab\ncd"e\nfghij');
    for (let start = 0; start < parent.length; start++) {
      for (let end = start; end <= parent.length; end++) {
        const bytes = parent.subarray(start, end);
        expect(jsonStringOf(bytes, "utf8")).toBe(asJson(bytes));
      }
    }
  });

  it("equals JSON.stringify on random bytes, including invalid UTF-8", () => {
    for (let round = 0; round < 200; round++) {
      const bytes = randomBytes(1 + (round % 97));
      expect(jsonStringOf(bytes, "utf8")).toBe(asJson(bytes));
    }
  });

  it("quotes base64 without escaping (base64 has no character that needs it)", () => {
    const bytes = randomBytes(999);
    expect(JSON.parse(jsonStringOf(bytes, "base64"))).toBe(bytes.toString("base64"));
  });
});

describe("writeJsonString", () => {
  it("writes what JSON.stringify gives for valid UTF-8 needing only newline escapes", () => {
    const text = Buffer.from("0123 héllo ✓ 🚀\n\nend".repeat(40));
    const target = Buffer.alloc(jsonStringMaxBytes(text) + 10, 0x2a);
    const end = writeJsonString(text, target, 5);
    expect(target.subarray(5, end).toString()).toBe(asJson(text));
    expect(target[4]).toBe(0x2a); // nothing written before the offset
  });

  it("matches JSON.stringify at every source and target alignment and newline density", () => {
    const pieces = ["a", "bcd", "héllo", "✓", "🚀", " 0123456789 "];
    for (const newlineShare of [0, 0.05, 0.3, 0.7, 1]) {
      for (let round = 0; round < 40; round++) {
        let text = "";
        while (text.length < 5 + round * 7) {
          text += Math.random() < newlineShare ? "\n" : pieces[round % pieces.length];
        }
        const sourceOffset = round % 8;
        const parent = Buffer.alloc(sourceOffset + Buffer.byteLength(text));
        parent.write(text, sourceOffset);
        const bytes = parent.subarray(sourceOffset);
        const targetOffset = (round * 3) % 8;
        const target = Buffer.alloc(targetOffset + jsonStringMaxBytes(bytes));
        const end = writeJsonString(bytes, target, targetOffset);
        expect(target.subarray(targetOffset, end).toString()).toBe(JSON.stringify(text));
      }
    }
  });

  it("matches JSON.stringify for every length around the 4-byte words, every newline place", () => {
    for (let length = 0; length <= 40; length++) {
      for (let newlineAt = -1; newlineAt < length; newlineAt++) {
        for (let start = 0; start < 4; start++) {
          const parent = Buffer.alloc(start + length, 0x61);
          if (newlineAt >= 0) parent[start + newlineAt] = 0x0a;
          const bytes = parent.subarray(start);
          const target = Buffer.alloc(jsonStringMaxBytes(bytes));
          const end = writeJsonString(bytes, target, 0);
          expect(target.subarray(0, end).toString()).toBe(asJson(bytes));
        }
      }
    }
  });

  it("matches JSON.stringify on output-sized chunks (64 KiB and more) of random lines", () => {
    const alphabet = [..."abcdefghijklmnopqrstuvwxyz0123456789 ✓é🚀"];
    for (const length of [4096, 64 * 1024, 200 * 1024]) {
      // Whole characters of the alphabet, about one in 40 a newline.
      const text = [...randomBytes(length)]
        .map((n) => (n % 40 === 0 ? "\n" : alphabet[n % alphabet.length]))
        .join("");
      const bytes = Buffer.from(text);
      const target = Buffer.alloc(jsonStringMaxBytes(bytes));
      const end = writeJsonString(bytes, target, 0);
      expect(target.subarray(0, end).toString()).toBe(JSON.stringify(text));
    }
  });

  it("declines every byte that needs another escape, wherever it sits", () => {
    const specials = [...Array(0x20).keys()].filter((b) => b !== 0x0a).concat([0x22, 0x5c]);
    const parent = Buffer.from("ab\ncdefgh\nijklmnopqrstuvwxyz\n0123456789");
    const target = Buffer.alloc(jsonStringMaxBytes(parent));
    for (const special of specials) {
      for (let start = 0; start < 4; start++) {
        for (let at = start; at < parent.length; at++) {
          const bytes = Buffer.from(parent).subarray(start);
          bytes[at - start] = special;
          expect(writeJsonString(bytes, target, 0)).toBe(-1);
        }
      }
    }
  });

  it("declines invalid UTF-8 and other escapes, for jsonStringOf to handle", () => {
    const target = Buffer.alloc(100);
    expect(writeJsonString(Buffer.from([0x61, 0xff]), target, 0)).toBe(-1);
    expect(writeJsonString(Buffer.from([0xe2, 0x82]), target, 0)).toBe(-1); // cut character
    expect(writeJsonString(Buffer.from('say "hi"'), target, 0)).toBe(-1);
    expect(writeJsonString(Buffer.from("tab\there"), target, 0)).toBe(-1);
  });
});
