/**
 * The audit trail's bounds on refusals (DESIGN §11, docs/security.md "Audit log"): refused
 * records are cut and, past a burst per reason and interval, counted into one summary; the audit
 * file routes refusals to a file of their own, so rotating refusals never drops other records.
 * The server-level flood is test/security-audit-flood.test.ts.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type AuditEvent, type AuditLog, openAuditLog } from "../src/log/audit-log.js";
import { limitRefusals } from "../src/log/refusal-audit.js";
import { tempDir } from "./helpers/test-server.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function memoryAudit(): AuditLog & { entries: AuditEvent[]; closed: boolean } {
  const log = {
    entries: [] as AuditEvent[],
    closed: false,
    record: (entry: AuditEvent) => log.entries.push(entry),
    close: () => {
      log.closed = true;
    },
  };
  return log;
}

const refused = (reason: string, peer = "127.0.0.1", path = "/x"): AuditEvent => ({
  event: "refused",
  reason,
  peer,
  path,
});

describe("limitRefusals", () => {
  it("records a burst per reason, then counts the rest into one summary when the interval ends", async () => {
    const inner = memoryAudit();
    const audit = limitRefusals(inner, {
      burst: 2,
      intervalMs: 200,
      maxTextChars: 50,
      maxPeers: 2,
    });
    for (let i = 0; i < 5; i++)
      audit.record(refused(`host not allowed: evil-${i}.example`, `10.0.0.${i}`));
    audit.record(refused("missing token"));
    audit.record({ event: "disconnected", session_id: "s" });
    expect(inner.entries).toEqual([
      refused("host not allowed: evil-0.example", "10.0.0.0"),
      refused("host not allowed: evil-1.example", "10.0.0.1"),
      refused("missing token"),
      { event: "disconnected", session_id: "s" },
    ]);
    // The three past the burst become one summary at the interval's end, without another refusal.
    await expect
      .poll(() => inner.entries.filter((e) => e.event === "refused_summary"))
      .toEqual([
        {
          event: "refused_summary",
          reason: "host not allowed",
          count: 3,
          since: expect.any(String),
          until: expect.any(String),
          peers: ["10.0.0.2", "10.0.0.3"],
        },
      ]);
    // A new interval starts with a new burst.
    audit.record(refused("host not allowed: again"));
    expect(inner.entries.at(-1)).toEqual(refused("host not allowed: again"));
    audit.close();
    expect(inner.closed).toBe(true);
  });

  it("writes what it is still counting when closed, and cuts long paths, reasons and peers", () => {
    const inner = memoryAudit();
    const audit = limitRefusals(inner, {
      burst: 1,
      intervalMs: 60_000,
      maxTextChars: 20,
      maxPeers: 5,
    });
    audit.record(
      refused(`origin not allowed: ${"o".repeat(40)}`, "p".repeat(30), `/${"A".repeat(99)}`),
    );
    audit.record(refused("origin not allowed: other"));
    audit.record(refused("origin not allowed: other"));
    audit.close();
    expect(inner.entries[0]).toEqual({
      event: "refused",
      reason: "origin not allowed: … (60 chars)",
      peer: `${"p".repeat(20)}… (30 chars)`,
      path: `/${"A".repeat(19)}… (100 chars)`,
    });
    expect(inner.entries[1]).toMatchObject({
      event: "refused_summary",
      reason: "origin not allowed",
      count: 2,
    });
    expect(inner.entries).toHaveLength(2);
  });
});

describe("audit files", () => {
  it("refusals go to audit-refusals.jsonl with their own rotation; audit.jsonl keeps everything else", () => {
    const dir = tempDir("cce-audit-split-");
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "audit.jsonl");
    const audit = openAuditLog(path, undefined, undefined, {
      path: join(dir, "audit-refusals.jsonl"),
      rotation: { maxBytes: 500, keepFiles: 1 },
    });
    audit.record({
      event: "execute",
      execution_id: "e1",
      command: "echo kept",
      cwd: "/",
      session_id: null,
      kind: "command",
    });
    for (let i = 0; i < 200; i++) audit.record(refused("missing token", "127.0.0.1", `/${i}`));
    audit.record({
      event: "refused_summary",
      reason: "missing token",
      count: 7,
      since: "t0",
      until: "t1",
      peers: [],
    });
    audit.close();
    expect(readdirSync(dir).sort()).toEqual([
      "audit-refusals.jsonl",
      "audit-refusals.jsonl.1",
      "audit.jsonl",
    ]);
    const main = readFileSync(path, "utf8").trim().split("\n");
    expect(main.map((line) => JSON.parse(line).event)).toEqual(["execute"]);
    const newest = readFileSync(join(dir, "audit-refusals.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(newest.at(-1) ?? "{}")).toMatchObject({ event: "refused_summary", count: 7 });
  });
});
