import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SpoolJanitor } from "./spool-janitor.js";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cce-janitor-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A spool folder with one segment of `bytes`, ended `agoMs` ago. */
function leftover(name: string, bytes: number, agoMs: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "000000.seg"), Buffer.alloc(bytes));
  const at = (Date.now() - agoMs) / 1000;
  utimesSync(dir, at, at);
  return dir;
}

describe("SpoolJanitor", () => {
  it("adopts thousands of leftover folders at start and keeps the newest `maxKept`", async () => {
    for (let i = 0; i < 1000; i++) leftover(`run-${String(i).padStart(4, "0")}`, 10, 1000 - i);
    const janitor = new SpoolJanitor({ root, totalCapBytes: 1e9, maxKept: 50, maxAgeMs: 0 });
    await janitor.start();
    await janitor.idle();
    const left = readdirSync(root).sort();
    expect(left).toHaveLength(50);
    expect(left[0]).toBe("run-0950");
    expect(janitor.keptCount).toBe(50);
    expect(janitor.usedBytes).toBe(500);
    janitor.stop();
  });

  it("gives up ended spools, oldest first, to make room for running ones, then refuses", async () => {
    const janitor = new SpoolJanitor({ root, totalCapBytes: 1000, maxKept: 0, maxAgeMs: 0 });
    await janitor.start();
    const older = leftover("older", 300, 0);
    const newer = leftover("newer", 300, 0);
    janitor.adopt(older, 300);
    janitor.adopt(newer, 300);
    expect(janitor.claim(300)).toBe(true); // 900 of 1000: nothing given up
    expect(janitor.claim(300)).toBe(true); // needs the older one's room
    await janitor.idle();
    expect(readdirSync(root)).toEqual(["newer"]);
    expect(janitor.claim(300)).toBe(true); // needs the newer one's room too
    expect(janitor.claim(300)).toBe(false); // running spools alone fill the cap
    expect(janitor.usedBytes).toBe(900);
    janitor.release(900);
    expect(janitor.usedBytes).toBe(0);
    await janitor.idle();
    expect(readdirSync(root)).toEqual([]);
    janitor.stop();
  });
});
