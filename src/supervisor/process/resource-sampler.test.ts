import { execFileSync, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { signalGroup } from "./process-group.js";
import { GroupSampler, parseProcStat } from "./resource-sampler.js";

describe("parseProcStat", () => {
  it("reads pgid, CPU ticks and RSS even when the command name holds spaces and parentheses", () => {
    const fields = ["S", "1", "4242", "4242", "0", "-1", "4194560", "0", "0", "0", "0", "7", "5"];
    const rest = ["0", "0", "20", "0", "1", "0", "100", "1000000", "321"];
    const stat = `4243 (my (odd) name) ${[...fields, ...rest].join(" ")}`;
    expect(parseProcStat(stat)).toEqual({ pgid: 4242, cpuTicks: 12, rssPages: 321 });
  });
});

describe("GroupSampler", () => {
  it("sums RSS over every member of the group and reports CPU from the second sample on", async () => {
    const child = spawn("/bin/sh", ["-c", "sleep 1000.616161 & sleep 1000.616161"], {
      detached: true,
      stdio: "ignore",
    });
    const pgid = child.pid as number;
    try {
      const sampler = new GroupSampler(pgid);
      let first = await sampler.sample();
      for (let i = 0; first.processCount < 2 && i < 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        first = await sampler.sample();
      }
      expect(first.processCount).toBeGreaterThanOrEqual(2);
      expect(first.rssBytes).toBeGreaterThan(0);
      const second = await sampler.sample();
      expect(second.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(sampler.peakRssBytes).toBeGreaterThanOrEqual(second.rssBytes as number);
    } finally {
      signalGroup(pgid, "SIGKILL");
    }
  });

  it("still counts a member orphaned after a sample saw it (no longer a descendant of the leader)", async () => {
    const child = spawn(
      "/bin/sh",
      ["-c", "sh -c 'sleep 1000.828282 & sleep 2' & sleep 1000.828282"],
      { detached: true, stdio: "ignore" },
    );
    const pgid = child.pid as number;
    const groupSize = () =>
      execFileSync("pgrep", ["-g", String(pgid)])
        .toString()
        .trim()
        .split("\n").length;
    try {
      const sampler = new GroupSampler(pgid);
      await waitForMembers(sampler, 5); // sh, inner sh, its two sleeps, the outer sleep
      // The inner sh ends: its long sleep is reparented away from the leader's tree.
      for (let i = 0; groupSize() > 3 && i < 400; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(groupSize()).toBe(3);
      expect((await sampler.sample()).processCount).toBe(3);
    } finally {
      signalGroup(pgid, "SIGKILL");
    }
  });

  it("reports an empty group as no processes", async () => {
    const sample = await new GroupSampler(2 ** 22 + 12345).sample();
    expect(sample).toMatchObject({ processCount: 0, rssBytes: 0 });
  });
});

describe("GroupSampler under a low descriptor limit", () => {
  it("reads only the group's own processes, a bounded number of files at once, so many samplers never hit EMFILE", async () => {
    const child = spawn("/bin/sh", ["-c", "sleep 1000.717171 & sleep 1000.717171"], {
      detached: true,
      stdio: "ignore",
    });
    const pgid = child.pid as number;
    // Host processes outside the group: a sampler scanning all of /proc opens one file each.
    const others = Array.from({ length: 60 }, () =>
      spawn("sleep", ["1000.727272"], { stdio: "ignore" }),
    );
    const limits = () =>
      execFileSync("prlimit", [
        "--pid",
        String(process.pid),
        "--nofile",
        "--raw",
        "--noheadings",
        "--output=SOFT,HARD",
      ])
        .toString()
        .trim()
        .split(/\s+/);
    const [soft, hard] = limits();
    try {
      await waitForMembers(new GroupSampler(pgid), 3);
      // Counted independently: sh and its two sleeps.
      const members = execFileSync("pgrep", ["-g", String(pgid)])
        .toString()
        .trim()
        .split("\n");
      expect(members).toHaveLength(3);
      // This test process (its own fork) gets 40 descriptors to spare, fewer than the host has
      // processes: 30 executions sampled at once must share them.
      const open = readdirSync("/proc/self/fd").length;
      execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${open + 40}:${hard}`]);
      const samples = await Promise.all(
        Array.from({ length: 30 }, () => new GroupSampler(pgid).sample()),
      );
      expect(samples.map((s) => s.processCount)).toEqual(samples.map(() => 3));
    } finally {
      execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${soft}:${hard}`]);
      signalGroup(pgid, "SIGKILL");
      for (const other of others) other.kill("SIGKILL");
    }
  });
});

async function waitForMembers(sampler: GroupSampler, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await sampler.sample()).processCount >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`the group never had ${count} processes`);
}
