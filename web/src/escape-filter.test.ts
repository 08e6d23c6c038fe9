import { describe, expect, it } from "vitest";
import { EscapeFilter } from "./escape-filter.js";

const filter = (...chunks: string[]) => {
  const f = new EscapeFilter();
  return chunks.map((chunk) => f.push(chunk)).join("");
};

describe("EscapeFilter", () => {
  it("keeps text and colours (CSI)", () => {
    expect(filter("a\x1b[31mred\x1b[0m b\n")).toBe("a\x1b[31mred\x1b[0m b\n");
  });

  it("drops clipboard (OSC 52), title (OSC 0/2) and links (OSC 8), keeping the link text", () => {
    expect(filter("x\x1b]52;c;aGVsbG8=\x07y")).toBe("xy");
    expect(filter("\x1b]0;title\x07\x1b]2;t2\x1b\\z")).toBe("z");
    expect(filter("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\!")).toBe("click!");
  });

  it("drops C1 forms and DCS/APC strings", () => {
    expect(filter("a\x9d52;c;eA==\x9cb")).toBe("ab");
    expect(filter("a\x1bPq#0;2;0;0;0\x1b\\b\x1b_apc\x1b\\c")).toBe("abc");
  });

  it("drops a sequence split across chunks, however it is cut", () => {
    const whole = "before\x1b]52;c;aGVsbG8=\x1b\\after";
    for (let cut = 0; cut <= whole.length; cut++) {
      expect(filter(whole.slice(0, cut), whole.slice(cut))).toBe("beforeafter");
    }
  });

  it("keeps an ESC that ends a chunk when the next one makes it a colour", () => {
    expect(filter("a\x1b", "[1mb")).toBe("a\x1b[1mb");
  });
});
