import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { GroupChild } from "./group-child.js";
import { OutputPipePool } from "./output-pipes.js";

let pool: OutputPipePool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

async function readyPool(spare: number): Promise<OutputPipePool> {
  pool = new OutputPipePool(spare);
  pool.start();
  expect(await pool.whenReady()).toBe(true);
  return pool;
}

function socketDescriptors(): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** Runs `script` and collects what each stream said, as copies (the read buffer is reused). */
function collect(script: string, pipes: OutputPipePool | null) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const ended = new Promise<void>((resolve) => {
    GroupChild.spawn(
      { file: "/bin/sh", args: ["-c", script], cwd: "/", env: process.env },
      {
        onStdout: (data) => out.push(Buffer.from(data)),
        onStderr: (data) => err.push(Buffer.from(data)),
        onExit: () => {},
        onEnd: resolve,
        onSpawnError: () => {},
      },
      1000,
      pipes,
    );
  });
  return ended.then(() => ({
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
  }));
}

describe("OutputPipePool", () => {
  it("gives each child its own pipes: concurrent children's output never mixes", async () => {
    const pipes = await readyPool(32);
    const children = Array.from({ length: 12 }, (_, id) =>
      collect(`yes out-${id} | head -n 20000; yes err-${id} | head -n 5000 >&2`, pipes),
    );
    const results = await Promise.all(children);
    results.forEach((result, id) => {
      expect(result.stdout).toBe(`out-${id}\n`.repeat(20000));
      expect(result.stderr).toBe(`err-${id}\n`.repeat(5000));
    });
  });

  it("falls back to ordinary pipes when none is ready, and is refilled after use", async () => {
    const pipes = await readyPool(2);
    const first = collect("echo first", pipes);
    expect(pipes.readyCount).toBe(0);
    const second = collect("echo second", pipes); // no pipes ready: ordinary ones
    expect(await first).toEqual({ stdout: "first\n", stderr: "" });
    expect(await second).toEqual({ stdout: "second\n", stderr: "" });
    expect(await pipes.whenReady()).toBe(true);
    expect(pipes.readyCount).toBe(2);
  });

  it("leaves no socket open and removes its directory when closed", async () => {
    const before = socketDescriptors();
    const pipes = await readyPool(6);
    for (let round = 0; round < 5; round++) {
      expect(await collect("echo out; echo err >&2", pipes)).toEqual({
        stdout: "out\n",
        stderr: "err\n",
      });
      await pipes.whenReady();
    }
    const dir = (pipes as unknown as { dir: string }).dir;
    expect(existsSync(dir)).toBe(true);
    await pipes.close();
    expect(existsSync(dir)).toBe(false);
    expect(socketDescriptors()).toBe(before);
  });

  it("says it cannot be ready once closed; spawning then uses ordinary pipes", async () => {
    pool = new OutputPipePool(2);
    await pool.close();
    expect(await pool.whenReady()).toBe(false);
    expect(await collect("echo still works", pool)).toEqual({
      stdout: "still works\n",
      stderr: "",
    });
  });
});
