import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GroupChild } from "../process/group-child.js";
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

  it("never gives out a ready pipe that broke", async () => {
    const pipes = await readyPool(4);
    // Until all four are made (each takes a turn or two of the event loop).
    for (let turn = 0; turn < 1000 && pipes.readyCount < 4; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pipes.readyCount).toBe(4);
    const ready = (pipes as unknown as { ready: Array<{ reader: import("node:net").Socket }> })
      .ready;
    const broken = ready[0]?.reader;
    const gone = new Promise((resolve) => broken?.once("close", resolve));
    broken?.destroy();
    await gone;
    expect(pipes.readyCount).toBe(3);
    expect(ready.some((pipe) => pipe.reader === broken)).toBe(false);
    expect(await collect("echo ok; echo err >&2", pipes)).toEqual({
      stdout: "ok\n",
      stderr: "err\n",
    });
  });

  it("uses ordinary pipes when it cannot make its directory or its socket path is too long", async () => {
    const savedTmpdir = process.env.TMPDIR;
    const base = mkdtempSync(join(tmpdir(), "cce-pipes-tmp-"));
    const longDir = join(base, "d".repeat(60), "e".repeat(60));
    mkdirSync(longDir, { recursive: true });
    try {
      for (const dir of [join(base, "missing"), longDir]) {
        process.env.TMPDIR = dir;
        const pipes = new OutputPipePool(2);
        pipes.start();
        expect(await pipes.whenReady()).toBe(false);
        expect(await collect("echo fine", pipes)).toEqual({ stdout: "fine\n", stderr: "" });
        await pipes.close();
      }
      expect(readdirSync(longDir)).toEqual([]); // nothing left behind
    } finally {
      process.env.TMPDIR = savedTmpdir;
      if (savedTmpdir === undefined) delete process.env.TMPDIR;
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("removes the directory a server killed with SIGKILL left behind, not a live one's", async () => {
    const deadPid = spawnSync("true").pid as number; // exited: its pid names no process now
    const dead = mkdtempSync(join(tmpdir(), `cc-executor-pipes-${deadPid}-`));
    const live = mkdtempSync(join(tmpdir(), `cc-executor-pipes-${process.pid}-`));
    try {
      await readyPool(2);
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(live)).toBe(true);
    } finally {
      rmSync(dead, { recursive: true, force: true });
      rmSync(live, { recursive: true, force: true });
    }
  });
});
