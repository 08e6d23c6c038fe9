import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { groupExists, signalGroup } from "./process-group.js";

describe("process groups", () => {
  it("signals a live group, and says when the group is gone (no exception)", async () => {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    const pgid = child.pid as number;
    expect(groupExists(pgid)).toBe(true);
    const exited = once(child, "exit");
    expect(signalGroup(pgid, "SIGKILL")).toBe(true);
    await exited;
    expect(groupExists(pgid)).toBe(false);
    expect(signalGroup(pgid, "SIGKILL")).toBe(false);
    expect(Error.stackTraceLimit).toBeGreaterThan(0); // restored after each call
  });

  it("refuses pgids that would mean everyone or this group", () => {
    expect(signalGroup(0, "SIGTERM")).toBe(false);
    expect(signalGroup(1, "SIGTERM")).toBe(false);
    expect(groupExists(Number.NaN)).toBe(false);
  });
});
