/**
 * The folder layers of src/ (docs/architecture.md, "Layers"): the real tree keeps them, the
 * checker catches each kind of violation, and the doc shows the same table as LAYER_RULES.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  checkLayers,
  formatViolation,
  importEdges,
  LAYER_RULES,
  type LayerRule,
  readSourceTree,
  ruleGraph,
  stronglyConnected,
  transitiveReduction,
  type Violation,
} from "./helpers/import-graph.js";

const root = new URL("../", import.meta.url);

/** The checker run on in-memory files (path under src/ → text). */
function check(files: Record<string, string>, rules?: Record<string, LayerRule>): Violation[] {
  return checkLayers(new Map(Object.entries(files)), rules);
}

function lines(violations: Violation[]): string[] {
  return violations.map(formatViolation);
}

describe("src/ keeps its layers", () => {
  it("has no violation in the real tree", () => {
    const files = readSourceTree(new URL("src/", root));
    expect(importEdges(files).length, "the tree was read").toBeGreaterThan(100);
    const violations = checkLayers(files);
    const counts = new Map<string, number>();
    for (const { kind } of violations) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const countText = [...counts].map(([kind, count]) => `${kind}: ${count}`).join(", ");
    const message =
      `${violations.length} layering violations (${countText}); fix the imports, or if the layer ` +
      `table is wrong change LAYER_RULES and docs/architecture.md "Layers" together:\n` +
      `${lines(violations).join("\n")}\n`;
    // The message, not a diff, shows the list: once, one violation per line.
    expect(violations.length, message).toBe(0);
  });
});

describe("the layer checker", () => {
  it("passes files that keep the table", () => {
    const violations = check({
      "protocol/methods.ts": `import * as z from "zod/mini";\nimport { E } from "./errors.js";`,
      "server/server.ts": `import { x } from "../engine/x.js";\nimport { createServer } from "node:http";`,
      "engine/x.ts": `import { y } from "../store/y.js";`,
      "store/y.ts": `export const y = 1;`,
    });
    expect(lines(violations)).toEqual([]);
  });

  it("says file:line imports target — rule", () => {
    const violations = check({ "protocol/a.ts": `\n\nimport { x } from "../server/x.js";` });
    expect(lines(violations)).toEqual([
      "protocol/a.ts:3 imports server/x.ts — protocol may not import server (it may import: no other folder)",
    ]);
  });

  it("fails protocol/ importing a Node builtin, with or without node:", () => {
    const violations = check({
      "protocol/a.ts": `import { readFileSync } from "node:fs";\nimport { join } from "path";`,
    });
    expect(lines(violations)).toEqual([
      "protocol/a.ts:1 imports node:fs — protocol imports no Node builtin",
      "protocol/a.ts:2 imports path — protocol imports no Node builtin",
    ]);
  });

  it.each([
    ["protocol", ["../server/x.js"]],
    ["client", ["../server/x.js", "../supervisor/x.js", "../engine/x.js"]],
    ["supervisor", ["../server/x.js", "../store/x.js", "../engine/x.js"]],
    ["store", ["../server/x.js"]],
  ])("fails %s importing %j", (folder, specifiers) => {
    const text = specifiers.map((specifier) => `import { x } from "${specifier}";`).join("\n");
    const violations = check({ [`${folder}/a.ts`]: text });
    expect(violations.map((v) => [v.kind, v.edge?.specifier])).toEqual(
      specifiers.map((specifier) => ["layer", specifier]),
    );
  });

  const importForms = [
    ["a static import", `import { x } from "../server/x.js";`],
    ["an import type", `import type { X } from "../server/x.js";`],
    ["a side-effect import", `import "../server/x.js";`],
    ["an export from", `export { x } from "../server/x.js";`],
    ["an export type *", `export type * from "../server/x.js";`],
    ["a dynamic import()", `const m = await import("../server/x.js");`],
    ["a typeof import()", `type M = typeof import("../server/x.js");`],
    ["an import() type", `let x: import("../server/x.js").X;`],
  ];
  it.each(
    ["claude", "tasks"].flatMap((folder) =>
      importForms.map(([form, text]) => [folder, form, text]),
    ),
  )("fails %s importing server through %s", (folder, _form, text) => {
    const violations = check({ [`${folder}/a.ts`]: `// ${folder} reaching up\n${text}` });
    expect(lines(violations)).toEqual([
      expect.stringMatching(
        `^${folder}/a.ts:2 imports server/x.ts — ${folder} may not import server `,
      ),
    ]);
  });

  it("does not count imports inside comments or strings", () => {
    const files = new Map([
      [
        "protocol/a.ts",
        [
          `// import { x } from "../server/x.js";`,
          `/* export * from "node:fs"; */`,
          `const text = 'import("../server/x.js")';`,
          'const template = `import "node:fs"`;',
          `/** typeof import("../engine/x.js") */`,
        ].join("\n"),
      ],
    ]);
    expect(importEdges(files)).toEqual([]);
    expect(checkLayers(files)).toEqual([]);
  });

  it("leaves out test files: tests may reach anywhere", () => {
    const violations = check({
      "protocol/a.test.ts": `import "node:fs";\nimport "../server/x.js";`,
    });
    expect(violations).toEqual([]);
  });

  it("fails a folder that is not in the table", () => {
    const violations = check({ "web/app.ts": `import "../protocol/x.js";`, "web/b.ts": "" });
    expect(lines(violations)).toEqual([
      "web/app.ts — folder web is not in the layer table (LAYER_RULES): add it to the table",
    ]);
  });

  it("fails an import from outside src/", () => {
    const violations = check({ "config/a.ts": `import pkg from "../../package.json";` });
    expect(lines(violations)).toEqual([
      "config/a.ts:1 imports ../package.json — src/ imports only src/, npm packages and Node builtins",
    ]);
  });

  it("fails a Node builtin anywhere the browser client reaches, and nowhere else", () => {
    const violations = check({
      "client/browser.ts": `export * from "./client.js";`,
      "client/client.ts": `import type { SocketLike } from "./socket.js";`,
      "client/socket.ts": `import { connect } from "node:net";`,
      "client/node.ts": `import { readFileSync } from "node:fs";\nexport * from "./client.js";`,
    });
    expect(lines(violations)).toEqual([
      "client/socket.ts:1 imports node:net — the browser build imports no Node builtin " +
        "(client/browser.ts → client/client.ts → client/socket.ts)",
    ]);
  });

  it("fails a two-folder cycle, one file edge per arrow, even where one arrow is allowed", () => {
    // tasks → engine is allowed, engine → tasks is not: a layer violation and a cycle.
    const violations = check({
      "engine/run.ts": `import type { TaskList } from "../tasks/list.js";`,
      "tasks/list.ts": `import { run } from "../engine/run.js";`,
    });
    expect(lines(violations)).toEqual([
      "engine/run.ts:1 imports tasks/list.ts — engine may not import tasks (it may import: " +
        "protocol, config, log, runtime, supervisor, store, claude, hooks)",
      "engine/run.ts:1 imports tasks/list.ts — no folder cycle: engine → tasks → engine",
      "tasks/list.ts:1 imports engine/run.ts — no folder cycle: engine → tasks → engine",
    ]);
  });

  it("fails a longer cycle and names one file per arrow", () => {
    const violations = check({
      "server/a.ts": `import "../tasks/b.js";`,
      "tasks/b.ts": `import "../engine/c.js";`,
      "engine/c.ts": `import "../server/a.js";`,
    });
    expect(lines(violations.filter((v) => v.kind === "cycle"))).toEqual([
      "engine/c.ts:1 imports server/a.ts — no folder cycle: engine → server → tasks → engine",
      "server/a.ts:1 imports tasks/b.ts — no folder cycle: engine → server → tasks → engine",
      "tasks/b.ts:1 imports engine/c.ts — no folder cycle: engine → server → tasks → engine",
    ]);
  });

  it("fails a cycle of edges a table allows", () => {
    const cyclicRules = {
      a: { mayImport: ["b"], node: true },
      b: { mayImport: ["a"], node: true },
    };
    const violations = check(
      { "a/x.ts": `import "../b/y.js";`, "b/y.ts": `import "../a/x.js";` },
      cyclicRules,
    );
    expect(lines(violations)).toEqual([
      "a/x.ts:1 imports b/y.ts — no folder cycle: a → b → a",
      "b/y.ts:1 imports a/x.ts — no folder cycle: a → b → a",
    ]);
  });

  it("has a table without a cycle, so only a forbidden edge can close one", () => {
    const onCycles = stronglyConnected(ruleGraph()).filter((component) => component.length > 1);
    expect(onCycles).toEqual([]);
  });
});

describe('docs/architecture.md "Layers"', () => {
  const doc = readFileSync(new URL("docs/architecture.md", root), "utf8");
  const start = doc.indexOf("\n## Layers\n");
  const section = doc.slice(start, doc.indexOf("\n## ", start + 1));

  /** The table's rows as rules: `| \`store/\` | … | \`protocol\`, \`log\` | yes |`. */
  function documentedRules(): Record<string, LayerRule> {
    const rows = section.split("\n").filter((line) => line.startsWith("| `"));
    return Object.fromEntries(
      rows.map((row) => {
        const [folder, , mayImport, node] = row
          .split("|")
          .slice(1, -1)
          .map((cell) => cell.trim());
        const names = [...(mayImport ?? "").matchAll(/`(\w+)`/g)].map(
          (match) => match[1] as string,
        );
        return [
          (folder ?? "").replace(/[`/]/g, ""),
          { mayImport: mayImport === "anything" ? "anything" : names, node: node === "yes" },
        ];
      }),
    );
  }

  /** Rules with each list sorted, so order in the doc is free. */
  function sorted(rules: Readonly<Record<string, LayerRule>>): Record<string, LayerRule> {
    return Object.fromEntries(
      Object.entries(rules).map(([folder, { mayImport, node }]) => [
        folder,
        { mayImport: mayImport === "anything" ? mayImport : [...mayImport].sort(), node },
      ]),
    );
  }

  it("has the section", () => {
    expect(start).toBeGreaterThan(0);
  });

  it("shows the table of LAYER_RULES", () => {
    expect(sorted(documentedRules())).toEqual(sorted(LAYER_RULES));
  });

  it("draws the transitive reduction of the table", () => {
    const drawn = [...section.matchAll(/^ {2}(\w+) --> (\w+)$/gm)].map((m) => `${m[1]} → ${m[2]}`);
    const reduction = [...transitiveReduction(ruleGraph())].flatMap(([from, targets]) =>
      [...targets].map((to) => `${from} → ${to}`),
    );
    expect(drawn.sort()).toEqual(reduction.sort());
  });
});
