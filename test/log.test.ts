/**
 * The operational log (pino-format JSON lines, levels, redaction, errors) and the audit file
 * (0600, appended, a failed write reported and never thrown — /dev/full is a real full disk).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openAuditLog } from "../src/log/audit-log.js";
import { createLogger } from "../src/log/logger.js";
import { tempDir } from "./helpers/test-server.js";

/** The built module (`npm test` builds first): the child runs it as the server would. */
const LOGGER_MODULE = fileURLToPath(new URL("../dist/log/logger.js", import.meta.url));

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

function capture(level: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  const logger = createLogger(level, (line) => lines.push(line));
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, records };
}

describe("operational log", () => {
  it("writes pino's line format: level number, time, pid, fields, then msg", () => {
    const { logger, lines, records } = capture("info");
    const before = Date.now();
    logger.warn({ host: "127.0.0.1", port: 8003 }, "listening");
    logger.info("plain message");
    expect(lines.every((line) => line.endsWith("}\n") && line.split("\n").length === 2)).toBe(true);
    const [first, second] = records();
    expect(Object.keys(first ?? {})).toEqual(["level", "time", "pid", "host", "port", "msg"]);
    expect(first).toMatchObject({
      level: 40,
      pid: process.pid,
      host: "127.0.0.1",
      msg: "listening",
    });
    expect(first?.time).toBeGreaterThanOrEqual(before);
    expect(second).toMatchObject({ level: 30, msg: "plain message" });
  });

  it("drops lines below its level and writes nothing when silent", () => {
    const warn = capture("warn");
    warn.logger.debug("no");
    warn.logger.info("no");
    warn.logger.error("yes");
    warn.logger.fatal("yes");
    expect(warn.records().map((record) => record.level)).toEqual([50, 60]);
    const silent = capture("silent");
    silent.logger.fatal("nothing");
    expect(silent.lines).toEqual([]);
  });

  it("never writes tokens, env or authorization values", () => {
    const { logger, lines } = capture("trace");
    logger.info({ token: "s3cret-token", env: { KEY: "s3cret-env" }, authorization: "Bearer x1" });
    expect(lines.join("")).not.toMatch(/s3cret|Bearer x1/);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ token: "[Redacted]", env: "[Redacted]" });
  });

  it("never writes them nested either: in headers, arrays, errors and cycles, at any depth", () => {
    const { logger, lines, records } = capture("trace");
    const cyclic: Record<string, unknown> = { Token: "s3cret-cycle" };
    cyclic.self = cyclic;
    logger.warn(
      {
        req: { headers: { authorization: "Bearer s3cret-header", host: "example.test" } },
        tasks: [
          { title: "one", token: "s3cret-item" },
          [{ options: { env: { K: "s3cret-env" } } }],
        ],
        deep: { a: { b: { c: { d: { e: { AUTHORIZATION: "s3cret-deep" } } } } } },
        err: Object.assign(new Error("refused"), { token: "s3cret-error" }),
        cyclic,
      },
      "nested",
    );
    expect(lines.join("")).not.toContain("s3cret");
    const [record] = records();
    expect(record?.req).toEqual({
      headers: { authorization: "[Redacted]", host: "example.test" },
    });
    expect(record?.tasks).toEqual([
      { title: "one", token: "[Redacted]" },
      [{ options: { env: "[Redacted]" } }],
    ]);
    expect(record?.err).toMatchObject({ message: "refused", token: "[Redacted]" });
    expect(record?.cyclic).toEqual({ Token: "[Redacted]", self: "[Circular]" });
    expect(record?.msg).toBe("nested");
  });

  it("writes errors with type, message, stack and code; survives cycles and bigints", () => {
    const { logger, records } = capture("info");
    const error = Object.assign(new TypeError("bad thing"), { code: "E_BAD" });
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    logger.error({ err: error, cyclic }, "failed");
    const [record] = records();
    expect(record?.err).toMatchObject({ type: "TypeError", message: "bad thing", code: "E_BAD" });
    expect(String((record?.err as { stack?: string } | undefined)?.stack)).toContain("bad thing");
    expect(record?.cyclic).toEqual({ n: "1", self: "[Circular]" });
  });

  it("pretty: one readable line per record, the same redaction, an error's stack below", () => {
    const lines: string[] = [];
    const log = createLogger("info", (line) => lines.push(line), "pretty");
    log.warn({ host: "0.0.0.0", token: "secret-token", detail: "two words" }, "listening wide");
    log.error({ err: new Error("boom") }, "failed");
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d WARN {2}listening wide · host=0\.0\.0\.0 token=\[Redacted\] detail="two words"\n$/,
    );
    expect(lines.join("")).not.toContain("secret-token");
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d ERROR failed\nError: boom\n {4}at /);
  });

  it("keeps the process alive when the reader of its stderr goes away", async () => {
    const script = `
      import { createLogger } from ${JSON.stringify(LOGGER_MODULE)};
      const logger = createLogger("info");
      process.stdin.once("data", () => {
        for (let i = 0; i < 50; i++) logger.info({ i }, "x".repeat(4096));
        setImmediate(() => console.log("alive"));
      });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stderr.destroy();
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stdin.end("go\n");
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(stdout).toBe("alive\n");
    expect(code).toBe(0);
  });
});

describe("audit file", () => {
  it("is created 0600 and appended to, one JSON line per record with an ISO time", () => {
    const dir = tempDir("cce-audit-");
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "logs", "audit.jsonl");
    for (const sessionId of ["first", "second"]) {
      const audit = openAuditLog(path);
      audit.record({ event: "disconnected", session_id: sessionId });
      audit.close();
      audit.record({ event: "disconnected", session_id: "after close" });
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const records = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.session_id)).toEqual(["first", "second"]);
    expect(Number.isNaN(Date.parse(String(records[0]?.time)))).toBe(false);
  });

  it("rotates by size: audit.jsonl.1 … .N hold the newest older lines, in order, nothing else", () => {
    const dir = tempDir("cce-audit-rotate-");
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "audit.jsonl");
    const maxBytes = 400;
    const audit = openAuditLog(path, undefined, { maxBytes, keepFiles: 2 });
    const ids = Array.from({ length: 40 }, (_, i) => `session-${String(i).padStart(2, "0")}`);
    for (const id of ids) audit.record({ event: "disconnected", session_id: id });
    audit.close();

    expect(readdirSync(dir).sort()).toEqual(["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]);
    const linesOf = (name: string) => readFileSync(join(dir, name), "utf8").trim().split("\n");
    const kept = ["audit.jsonl.2", "audit.jsonl.1", "audit.jsonl"].flatMap((name) => {
      const lines = linesOf(name);
      // A file is rotated at the first write that finds it full: at most one line past the size.
      expect(Buffer.byteLength(lines.slice(0, -1).join("\n"))).toBeLessThan(maxBytes);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
      return lines.map((line) => (JSON.parse(line) as { session_id: string }).session_id);
    });
    // The newest lines, whole and in order; the oldest were dropped with the oldest file.
    expect(kept.length).toBeLessThan(ids.length);
    expect(kept).toEqual(ids.slice(ids.length - kept.length));
  });

  it("keeps recording into the current file when rotation fails", () => {
    const dir = tempDir("cce-audit-rotate-fail-");
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "audit.jsonl");
    mkdirSync(`${path}.1`); // a directory where the rotated file should go: rename fails
    mkdirSync(join(`${path}.1`, "occupied"));
    const failures: unknown[] = [];
    const audit = openAuditLog(path, (error) => failures.push(error), {
      maxBytes: 10,
      keepFiles: 1,
    });
    audit.record({ event: "disconnected", session_id: "first" });
    audit.record({ event: "disconnected", session_id: "second" });
    audit.close();
    expect(failures.length).toBeGreaterThan(0);
    const ids = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { session_id: string }).session_id);
    expect(ids).toEqual(["first", "second"]);
  });

  it("still bounds the current file when older ones cannot be shifted", () => {
    const dir = tempDir("cce-audit-shift-fail-");
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "audit.jsonl");
    mkdirSync(join(`${path}.2`, "occupied"), { recursive: true }); // .1 cannot become .2
    const failures: unknown[] = [];
    const audit = openAuditLog(path, (error) => failures.push(error), {
      maxBytes: 10,
      keepFiles: 2,
    });
    for (const id of ["a", "b", "c"]) audit.record({ event: "disconnected", session_id: id });
    audit.close();
    expect(failures.length).toBeGreaterThan(0);
    const idsIn = (name: string) =>
      readFileSync(join(dir, name), "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { session_id: string }).session_id);
    // Each line rotated the file before it: the current file holds only the newest.
    expect(idsIn("audit.jsonl")).toEqual(["c"]);
    expect(idsIn("audit.jsonl.1")).toEqual(["b"]);
  });

  it("reports a failed write (a full disk) instead of throwing it at the caller", () => {
    if (!existsSync("/dev/full")) throw new Error("/dev/full is needed for this test");
    const failures: unknown[] = [];
    const audit = openAuditLog("/dev/full", (error) => failures.push(error));
    expect(() => audit.record({ event: "disconnected", session_id: "s" })).not.toThrow();
    audit.close();
    expect(failures).toHaveLength(1);
    expect((failures[0] as NodeJS.ErrnoException).code).toBe("ENOSPC");
  });
});
