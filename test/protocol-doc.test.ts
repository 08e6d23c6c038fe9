/**
 * docs/protocol.md stays exact (DESIGN §4): every method of the dispatch table, every
 * notification of NotificationMap and every error code of ErrorCode has its place in it.
 * Notification names come from the source text, since NotificationMap is a type only.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { METHOD_NAMES } from "../src/protocol/method-map.js";
import { rpcMethods } from "../src/server/methods/index.js";

const root = new URL("../", import.meta.url);
const doc = readFileSync(new URL("docs/protocol.md", root), "utf8");
const headings = doc.split("\n").filter((line) => /^#{2,4} /.test(line));

function notificationNames(): string[] {
  const source = readFileSync(new URL("src/protocol/notifications.ts", root), "utf8");
  const body = /export interface NotificationMap \{([^}]*)\}/.exec(source)?.[1];
  if (!body) throw new Error("NotificationMap not found in src/protocol/notifications.ts");
  return [...body.matchAll(/^\s*"?([\w.]+)"?\s*:/gm)].map((match) => match[1] as string);
}

/** The section of the doc under the heading that starts with `title`, up to the next `## `. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`docs/protocol.md has no "## ${title}" section`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe("docs/protocol.md", () => {
  const methods = [...rpcMethods().keys()];
  const notifications = notificationNames();

  it("finds what it checks", () => {
    expect(methods.length).toBeGreaterThanOrEqual(8);
    expect(notifications).toContain("process.output");
    expect(notifications.length).toBeGreaterThanOrEqual(12);
  });

  it.each(methods)("documents the method %s under its own heading in Methods", (method) => {
    const methodsSection = section("Methods");
    expect(methodsSection).toMatch(new RegExp(`\\n### \`${method.replace(".", "\\.")}\`\\n`));
  });

  it.each(notifications)(
    "documents the notification %s under a heading in Notifications",
    (name) => {
      const notificationsSection = section("Notifications");
      const heading = notificationsSection
        .split("\n")
        .find((line) => line.startsWith("### ") && line.includes(`\`${name}\``));
      expect(heading, `no "### …\`${name}\`…" heading`).toBeDefined();
    },
  );

  it.each(Object.entries(ErrorCode))(
    "lists the error code %s (%i) in the error table",
    (_name, code) => {
      expect(section("Errors")).toMatch(new RegExp(`\\n\\| ${code}\\s+\\| `));
    },
  );

  it("lists no error code the protocol does not have", () => {
    const codes = [...section("Errors").matchAll(/\n\| (-\d+)\s+\| /g)].map((m) => Number(m[1]));
    expect(codes.sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it("has the sections the reference promises", () => {
    for (const title of [
      "Transport",
      "Authentication",
      "Methods",
      "Notifications",
      "Errors",
      "Seq, replay and subscribe",
      "Queueing and limits",
      "Heartbeats and liveness",
      "Close codes",
      "Compatibility with the original Python protocol",
    ]) {
      expect(headings).toContain(`## ${title}`);
    }
  });
});

describe("the dispatch table", () => {
  it("is keyed by exactly METHOD_NAMES of src/protocol/method-map.ts", () => {
    expect([...rpcMethods().keys()].sort()).toEqual([...METHOD_NAMES].sort());
  });
});
