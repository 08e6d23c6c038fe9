import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutputPipePool } from "../output/output-pipes.js";
import { GroupChild } from "./group-child.js";

let pool: OutputPipePool | null = null;

function run(command: string, drainMs: number, options: { pauseAtFirstData?: boolean } = {}) {
  let bytes = 0;
  let exitCode: number | null | undefined;
  let child: GroupChild | null = null;
  let paused = false;
  let exited: () => void = () => {};
  const leaderExited = new Promise<void>((resolve) => {
    exited = resolve;
  });
  const ended = new Promise<void>((resolve) => {
    child = GroupChild.spawn(
      { file: "/bin/sh", args: ["-c", command], cwd: "/", env: process.env },
      {
        onStdout: (data) => {
          bytes += data.length;
          if (options.pauseAtFirstData && !paused) {
            paused = true;
            child?.pauseOutput();
          }
        },
        onStderr: () => {},
        onExit: (code) => {
          exitCode = code;
          exited();
        },
        onEnd: resolve,
        onSpawnError: () => {},
      },
      drainMs,
      pool,
    );
  });
  return {
    child: child as unknown as GroupChild,
    ended,
    leaderExited,
    bytes: () => bytes,
    exitCode: () => exitCode,
  };
}

// Every behaviour holds for ordinary pipes and for the pool's pipes read into one reused buffer.
for (const variant of ["ordinary pipes", "pipes read into a reused buffer"] as const) {
  describe(`GroupChild (${variant})`, () => {
    beforeAll(async () => {
      if (variant === "ordinary pipes") return;
      pool = new OutputPipePool(4);
      pool.start();
      expect(await pool.whenReady()).toBe(true);
    });
    afterAll(() => {
      pool?.close();
      pool = null;
    });

    it("reads from the pool's pipes when they are ready", async () => {
      const before = pool?.readyCount ?? 0;
      const child = run("echo hi", 1000);
      expect(pool?.readyCount ?? 0).toBe(pool ? before - 2 : 0);
      await child.ended;
      expect(child.bytes()).toBe(3);
      await pool?.whenReady();
    });

    it("ends when the leader exited and its pipes closed, with every byte read", async () => {
      const child = run("head -c 1000000 /dev/zero; exit 4", 1000);
      await child.ended;
      expect(child.bytes()).toBe(1_000_000);
      expect(child.exitCode()).toBe(4);
    });

    it("ends after the drain when a descendant keeps the pipes open", async () => {
      const child = run("sleep 1000 & echo hi", 100);
      await child.ended;
      expect(child.bytes()).toBe(3);
      expect(child.child.running).toBe(false);
    });

    it("never abandons output it stopped reading itself (backpressure) after the drain", async () => {
      // The leader writes less than the pipe and stream buffers hold, so it exits while the
      // output is paused; the unread rest must still arrive once reading resumes.
      const child = run("head -c 100000 /dev/zero", 0, { pauseAtFirstData: true });
      await child.leaderExited;
      // Longer than the drain plus the grace after which pipes held from outside are abandoned.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.child.resumeOutput();
      await child.ended;
      expect(child.bytes()).toBe(100_000);
    });
  });
}
