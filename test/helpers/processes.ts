/** Looking for processes from tests: by marker in their command line, by pid, by group. */
import { readdirSync, readFileSync } from "node:fs";

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead for our purposes (it only waits for its parent to reap it).
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line contains `marker`. */
export function pidsMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(marker) && pidAlive(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Polls until `check` is true or `timeoutMs` passes; returns the last value of `check`. */
export async function eventually(
  check: () => boolean,
  timeoutMs = 10_000,
  stepMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}

/** A unique marker to put into a test command so its processes can be found later. */
export function uniqueMarker(label: string): string {
  return `cce_${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
}

/** `eventually` for a check that must await (a Redis or RPC read), polled every 100 ms. */
export async function eventuallyAsync(
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}
