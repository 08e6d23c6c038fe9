import { describe, expect, it } from "vitest";
import { OutputChunker, type RawChunk } from "./output-chunker.js";

const MAX = 64;

function joined(chunks: RawChunk[]): Buffer {
  return Buffer.concat(chunks.map((c) => c.raw));
}

function kept(chunks: RawChunk[]): RawChunk[] {
  return chunks.map((chunk) => ({ ...chunk, raw: Buffer.from(chunk.raw) }));
}

/** A chunk decodes to exactly its bytes: it holds no half character. */
function decodesWhole(raw: Buffer): boolean {
  return Buffer.from(raw.toString("utf8"), "utf8").equals(raw);
}

describe("OutputChunker, lines mode", () => {
  it("emits whole lines and keeps a trailing partial line", () => {
    const chunker = new OutputChunker(MAX);
    chunker.push(Buffer.from("one\ntwo\nthr"));
    const chunks = chunker.take("lines");
    expect(chunks.map((c) => c.raw.toString())).toEqual(["one\ntwo\n"]);
    expect(chunker.pendingBytes).toBe(3);
    chunker.push(Buffer.from("ee\n"));
    expect(chunker.take("lines").map((c) => c.raw.toString())).toEqual(["three\n"]);
    expect(chunker.pendingBytes).toBe(0);
  });

  it("emits nothing for a short line without newline", () => {
    const chunker = new OutputChunker(MAX);
    chunker.push(Buffer.from("prompt> "));
    expect(chunker.take("lines")).toEqual([]);
    expect(chunker.pendingBytes).toBe(8);
  });

  it("coalesces many short pushes into one chunk", () => {
    const chunker = new OutputChunker(MAX);
    for (let i = 0; i < 5; i++) chunker.push(Buffer.from(`${i}\n`));
    const chunks = chunker.take("lines");
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.raw.toString()).toBe("0\n1\n2\n3\n4\n");
  });

  it("cuts oversized input after the last newline in reach; every chunk ends a line", () => {
    const chunker = new OutputChunker(MAX);
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join("");
    chunker.push(Buffer.from(lines));
    const chunks = chunker.take("lines");
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.raw.length).toBeLessThanOrEqual(MAX);
      expect(chunk.raw.at(-1)).toBe(0x0a);
    }
    expect(joined(chunks).toString()).toBe(lines);
    expect(chunks.map((c) => c.chunkIndex)).toEqual(chunks.map((_, i) => i));
    expect(new Set(chunks.map((c) => c.totalChunks))).toEqual(new Set([chunks.length]));
  });

  it("cuts a line longer than a chunk at the limit and keeps the short rest", () => {
    const chunker = new OutputChunker(MAX);
    chunker.push(Buffer.from("x".repeat(MAX * 2 + 10)));
    const chunks = chunker.take("lines");
    expect(chunks.map((c) => c.raw.length)).toEqual([MAX, MAX]);
    expect(chunker.pendingBytes).toBe(10);
    expect(chunker.take("final").map((c) => c.raw.length)).toEqual([10]);
  });
});

describe("OutputChunker, copies", () => {
  it("copies each push: the buffer a read came in may be reused right after", () => {
    const chunker = new OutputChunker(MAX);
    const readBuffer = Buffer.from("first\n");
    chunker.push(readBuffer);
    readBuffer.fill("x");
    chunker.push(readBuffer.subarray(0, 2));
    expect(chunker.take("final").map((c) => c.raw.toString())).toEqual(["first\nxx"]);
  });

  it("keeps a partial line across takes while the staging buffer is reused and grown", () => {
    const chunker = new OutputChunker(MAX);
    const received: string[] = [];
    let sent = "";
    for (let i = 0; i < 2000; i++) {
      const piece = i % 7 === 0 ? `${"y".repeat(i % 50)}\n` : `${i}-`;
      sent += piece;
      chunker.push(Buffer.from(piece));
      if (i % 3 === 0) received.push(...chunker.take("lines").map((c) => c.raw.toString()));
    }
    received.push(...chunker.take("final").map((c) => c.raw.toString()));
    expect(received.join("")).toBe(sent);
    chunker.release();
    expect(chunker.pendingBytes).toBe(0);
  });
});

describe("OutputChunker, UTF-8 boundaries", () => {
  const characters = { "2-byte": "é", "3-byte": "€", "4-byte": "😀" };

  for (const [label, character] of Object.entries(characters)) {
    it(`never splits a ${label} character placed at any offset around the limit`, () => {
      for (let prefix = MAX - 5; prefix <= MAX + 1; prefix++) {
        for (const mode of ["lines", "all", "final"] as const) {
          const chunker = new OutputChunker(MAX);
          const input = Buffer.from(`${"a".repeat(prefix)}${character}${"b".repeat(MAX)}`);
          chunker.push(input);
          // A take's chunks are views of the staging buffer, valid until the next take.
          const chunks = kept(chunker.take(mode));
          const rest = chunker.take("final");
          for (const chunk of [...chunks, ...rest]) {
            expect(chunk.raw.length).toBeLessThanOrEqual(MAX);
            expect(decodesWhole(chunk.raw)).toBe(true);
          }
          expect(Buffer.concat([joined(chunks), joined(rest)]).equals(input)).toBe(true);
        }
      }
    });
  }

  it("never splits characters of a long run of mixed multibyte text", () => {
    const text = "é€😀a".repeat(200);
    const chunker = new OutputChunker(MAX);
    chunker.push(Buffer.from(text));
    const chunks = chunker.take("final");
    for (const chunk of chunks) {
      expect(chunk.raw.length).toBeLessThanOrEqual(MAX);
      expect(chunk.raw.toString("utf8")).not.toContain("\uFFFD");
    }
    expect(chunks.map((c) => c.raw.toString("utf8")).join("")).toBe(text);
  });

  it("`all` holds back a character whose bytes have not all arrived", () => {
    const bytes = Buffer.from("ab😀");
    for (let cut = 3; cut < bytes.length; cut++) {
      const chunker = new OutputChunker(MAX);
      chunker.push(bytes.subarray(0, cut));
      expect(joined(chunker.take("all")).toString()).toBe("ab");
      expect(chunker.pendingBytes).toBe(cut - 2);
      chunker.push(bytes.subarray(cut));
      expect(joined(chunker.take("all")).toString()).toBe("😀");
    }
  });

  it("`all` takes complete characters at the end", () => {
    const chunker = new OutputChunker(MAX);
    chunker.push(Buffer.from("no newline é€😀"));
    expect(joined(chunker.take("all")).toString()).toBe("no newline é€😀");
    expect(chunker.pendingBytes).toBe(0);
  });

  it("`final` takes everything, even an incomplete character", () => {
    const chunker = new OutputChunker(MAX);
    const bytes = Buffer.from("x😀").subarray(0, 3);
    chunker.push(bytes);
    expect(joined(chunker.take("final")).equals(bytes)).toBe(true);
    expect(chunker.pendingBytes).toBe(0);
  });

  it("without UTF-8 awareness (base64 mode) cuts at exactly the limit", () => {
    const chunker = new OutputChunker(MAX, false);
    const input = Buffer.from(`${"a".repeat(MAX - 1)}😀${"b".repeat(10)}`);
    chunker.push(input);
    const chunks = chunker.take("all");
    expect(chunks[0]?.raw.length).toBe(MAX);
    expect(joined(chunks).equals(input)).toBe(true);
  });
});
