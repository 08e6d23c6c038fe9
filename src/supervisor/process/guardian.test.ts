import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { Guardian } from "./guardian.js";
import { signalGroup } from "./process-group.js";

const spawned: ChildProcess[] = [];

afterEach(() => {
  for (const child of spawned.splice(0)) {
    if (child.exitCode === null && child.signalCode === null)
      signalGroup(child.pid as number, "SIGKILL");
  }
});

/** A process group of two sleeps (leader and child), as an execution would be. */
function group(): { child: ChildProcess; exited: Promise<string | null> } {
  // A marked duration, so a leftover from a failed run can be told apart.
  const sleep = `sleep 1000.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const child = spawn("/bin/sh", ["-c", `${sleep} & ${sleep}`], {
    detached: true,
    stdio: "ignore",
  });
  spawned.push(child);
  // Resolves with the signal that ended the group's leader, or "still running" after 10 s.
  const exited = new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve("still running"), 10_000);
    child.once("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
  return { child, exited };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe("Guardian", () => {
  it("kills the groups still registered when its pipe closes", async () => {
    const guardian = new Guardian();
    guardian.start();
    const watched = group();
    guardian.watch(watched.child.pid as number);
    guardian.close();
    expect(await watched.exited).toBe("SIGKILL");
  });

  it("leaves alone the groups it was told to forget", async () => {
    const guardian = new Guardian();
    guardian.start();
    const kept = group();
    const killed = group();
    guardian.watch(kept.child.pid as number);
    guardian.watch(killed.child.pid as number);
    guardian.forget(kept.child.pid as number);
    const guardianPid = guardian.pid as number;
    guardian.close();
    expect(await killed.exited).toBe("SIGKILL");
    // The guardian has finished its sweep and exited by now; the forgotten group lives on.
    expect(await until(() => !processExists(guardianPid))).toBe(true);
    expect(kept.child.exitCode === null && kept.child.signalCode === null).toBe(true);
  });

  it("is restarted when killed, and the new one still knows every group", async () => {
    const guardian = new Guardian();
    guardian.start();
    const watched = group();
    guardian.watch(watched.child.pid as number);
    const first = guardian.pid as number;
    process.kill(first, "SIGKILL");
    expect(await until(() => guardian.pid !== undefined && guardian.pid !== first)).toBe(true);
    guardian.close();
    expect(await watched.exited).toBe("SIGKILL");
  });
});

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
