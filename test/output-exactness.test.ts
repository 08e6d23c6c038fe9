/**
 * Every byte the child writes arrives exactly once, in seq order, in notifications of at most
 * 64 KiB, cut at line ends where possible and never inside a UTF-8 character (DESIGN §4, §5).
 */

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalEngine } from "../src/engine/local-engine.js";
import { collectOutput, MAX_DATA_BYTES, oneTo, sha256 } from "./helpers/output-check.js";
import { eventually } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

const MiB = 1024 * 1024;

/** `length` bytes cycling through `alphabet`, with no newline unless the alphabet has one. */
function cycling(alphabet: string, length: number): Buffer {
  const unit = Buffer.from(alphabet);
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += unit.length) unit.copy(out, offset);
  return out;
}

/** ASCII lines of varied length, `length` bytes in all, ending with a newline. */
function lines(label: string, length: number): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const line = `${label} ${i} ${"x".repeat(i % 200)}\n`;
    parts.push(line);
    size += line.length;
  }
  return `${parts.join("").slice(0, length - 1)}\n`;
}

describe("output exactness", () => {
  let server: TestServer;
  let socket: RpcSocket;
  let dir: string;

  beforeAll(async () => {
    // A partial line normally waits 10 ms for its newline. On two busy cores a writer can stall
    // longer than that mid-line, which would make "chunks end at line ends" depend on the
    // scheduler; a long wait keeps that test about the chunker.
    server = await startTestServer({ tailFlushMs: 5000 });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    dir = tempDir("cce-exact-");
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function file(name: string, content: Buffer | string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  async function run(command: string, params: Record<string, unknown> = {}) {
    const { id, completed } = await socket.run(command, { timeout: 120, ...params });
    const output = collectOutput(socket.messages, id);
    expect(output.seqs).toEqual(oneTo(output.seqs.length));
    expect(completed.last_seq).toBe(output.seqs.length);
    expect(output.largestDataBytes).toBeLessThanOrEqual(MAX_DATA_BYTES);
    expect(completed.stdout_bytes).toBe(output.stdout.length);
    expect(completed.stderr_bytes).toBe(output.stderr.length);
    return { id, completed, output };
  }

  it("delivers a 5 MB single line byte-exact", async () => {
    const line = Buffer.concat([
      cycling("abcdefghijklmnopqrstuvwxyz0123456789", 5 * MiB),
      Buffer.from("\n"),
    ]);
    const path = file("line.txt", line);
    const { completed, output } = await run(`cat ${path}`);
    expect(completed.status).toBe("completed");
    expect(output.stdout.length).toBe(line.length);
    expect(sha256(output.stdout)).toBe(sha256(line));
    expect(output.seqs.length).toBeGreaterThanOrEqual(Math.ceil(line.length / MAX_DATA_BYTES));
  });

  it("delivers 10 MB of interleaved stdout and stderr byte-exact per stream", async () => {
    const out = lines("out", 6 * MiB);
    const err = lines("err", 4 * MiB);
    const outPath = file("out.txt", out);
    const errPath = file("err.txt", err);
    const command = `cat ${outPath} & cat ${errPath} >&2; wait`;
    // Through the pool's pipes (read into one reused buffer), then through ordinary pipes.
    const pipes = (server.context.engine as LocalEngine).parts.supervisor.outputPipes;
    expect(await pipes.whenReady()).toBe(true);
    const takePair = pipes.takePair.bind(pipes);
    const taken: boolean[] = [];
    pipes.takePair = () => {
      const pair = takePair();
      taken.push(pair !== null);
      return pair;
    };
    const pooled = run(command);
    expect(await eventually(() => taken.length === 1, 10_000)).toBe(true);
    // Closing the pool leaves the pipes it gave out alone; the next start gets ordinary pipes.
    const ordinary = pipes.close().then(() => run(command));
    for (const { completed, output } of [await pooled, await ordinary]) {
      expect(completed.status).toBe("completed");
      expect(output.stdout.length).toBe(Buffer.byteLength(out));
      expect(output.stderr.length).toBe(Buffer.byteLength(err));
      expect(sha256(output.stdout)).toBe(sha256(out));
      expect(sha256(output.stderr)).toBe(sha256(err));
      const types = new Set(output.chunks.map((c) => c.type));
      expect(types).toEqual(new Set(["stdout", "stderr"]));
    }
    expect(taken).toEqual([true, false]);
  });

  it("never splits 2-, 3- and 4-byte characters across 64 KiB chunk edges", async () => {
    // A 10-byte period (2+3+4+1) puts a character across nearly every possible cut.
    const text = cycling("é€😀a", 3 * MiB + 7);
    const longLine = file("multibyte-line.txt", text);
    // And lines sized so each multibyte character straddles a 64 KiB multiple of the stream.
    const straddling: string[] = [];
    for (const character of ["é", "€", "😀"]) {
      for (let shift = 1; shift < Buffer.byteLength(character); shift++) {
        straddling.push(`${"s".repeat(MAX_DATA_BYTES - shift)}${character}${"t".repeat(100)}\n`);
      }
    }
    const straddle = file("straddle.txt", straddling.join(""));
    const { completed, output } = await run(`cat ${longLine}; cat ${straddle} >&2`);
    expect(completed.status).toBe("completed");
    for (const chunk of output.chunks) expect(chunk.data).not.toContain("\uFFFD");
    expect(output.stdout.equals(readFileSync(longLine))).toBe(true);
    expect(output.stderr.toString()).toBe(straddling.join(""));
  });

  it("cuts a stream of short lines at line ends and sends many lines per notification", async () => {
    const { completed, output } = await run("seq 1 300000");
    expect(completed.status).toBe("completed");
    const expected = `${oneTo(300000).join("\n")}\n`;
    expect(output.stdout.toString()).toBe(expected);
    const datas = output.chunks.map((c) => c.data);
    for (const data of datas.slice(0, -1)) expect(data.endsWith("\n")).toBe(true);
    // ~2 MB in 64 KiB notifications: a few dozen, not one per line.
    expect(datas.length).toBeLessThan(3000);
  });

  it("returns arbitrary binary byte-exact with output_encoding base64", async () => {
    const copy = join(dir, "random.bin");
    const { id, completed, output } = await run(`head -c 3000000 /dev/urandom | tee ${copy}`, {
      output_encoding: "base64",
    });
    expect(completed.status).toBe("completed");
    const expected = readFileSync(copy);
    expect(expected.length).toBe(3_000_000);
    expect(output.stdout.length).toBe(expected.length);
    expect(output.stdout.equals(expected)).toBe(true);
    for (const m of socket.all("process.output", id)) expect(m.params?.encoding).toBe("base64");
  });
});
