/**
 * The folder layers of src/ (docs/architecture.md, "Layers"; DESIGN §10): each top-level folder
 * may import only the folders below it, protocol/ and the browser client import no Node builtin,
 * and no two folders import each other, however indirectly.
 *
 * The checker reads import edges out of the source text with the TypeScript parser, so an
 * `import` inside a comment or a string is not an edge. It works on a map of src-relative paths
 * to source text, so tests can feed it in-memory files; `readSourceTree` gives it the real tree.
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { posix } from "node:path";
import ts from "typescript";

/** What the files of one top-level folder may import, besides npm packages (always allowed). */
export interface LayerRule {
  /** Other top-level folders of src/; "anything" is every folder of the table. */
  mayImport: readonly string[] | "anything";
  /** Whether Node builtins (`node:fs`, `fs`, …) may be imported. */
  node: boolean;
}

/** Top-level folder of src/ → its rule. */
export type LayerTable = Readonly<Record<string, LayerRule>>;

/**
 * The one table of layers: docs/architecture.md shows it and test/layering.test.ts checks both
 * the tree and the doc against it. A folder imports itself freely.
 */
export const LAYER_RULES: LayerTable = {
  protocol: { mayImport: [], node: false },
  runtime: { mayImport: [], node: true },
  log: { mayImport: ["runtime"], node: true },
  testing: { mayImport: [], node: true },
  config: { mayImport: ["protocol", "log", "runtime"], node: true },
  supervisor: { mayImport: ["protocol", "log", "runtime"], node: true },
  hooks: { mayImport: ["protocol", "config", "log", "runtime", "supervisor"], node: true },
  store: { mayImport: ["protocol", "config", "log", "runtime", "supervisor"], node: true },
  claude: { mayImport: ["protocol", "config", "log", "runtime", "supervisor"], node: true },
  engine: {
    mayImport: ["protocol", "config", "log", "runtime", "supervisor", "store", "claude", "hooks"],
    node: true,
  },
  tasks: {
    mayImport: ["protocol", "config", "log", "runtime", "store", "engine", "hooks"],
    node: true,
  },
  server: {
    mayImport: [
      "protocol",
      "config",
      "log",
      "runtime",
      "supervisor",
      "store",
      "hooks",
      "engine",
      "tasks",
    ],
    node: true,
  },
  client: { mayImport: ["protocol", "config", "runtime"], node: true },
  stress: { mayImport: ["protocol", "client", "testing"], node: true },
  mcp: { mayImport: ["protocol", "client", "config", "log", "runtime"], node: true },
  workers: {
    mayImport: [
      "protocol",
      "config",
      "log",
      "runtime",
      "supervisor",
      "store",
      "claude",
      "hooks",
      "engine",
    ],
    node: true,
  },
  cli: { mayImport: "anything", node: true },
};

/** The entry of the browser build: it and every src file it reaches must not import Node. */
export const BROWSER_ENTRY = "client/browser.ts";

/** Source files by path relative to src/ (`server/methods/execute.ts`) → their text. */
export type SourceFiles = ReadonlyMap<string, string>;

export type ImportTarget =
  | { kind: "src"; path: string; folder: string }
  | { kind: "node"; name: string }
  | { kind: "package"; name: string }
  | { kind: "outside"; path: string };

/** One import of one file: `file` imports `target` at `line` (1-based). */
export interface ImportEdge {
  file: string;
  line: number;
  specifier: string;
  target: ImportTarget;
}

export type ViolationKind = "unknown folder" | "layer" | "node" | "browser" | "outside" | "cycle";

export interface Violation {
  kind: ViolationKind;
  /** The file the fix starts in; `edge` is absent when the file as a whole is the problem. */
  file: string;
  edge?: ImportEdge;
  /** The rule broken, said so that it tells what to change. */
  rule: string;
}

/** `server/methods/x.ts` is in `server`; a file right in src/ is in the folder "." */
export function folderOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? "." : path.slice(0, slash);
}

/** Every module specifier `text` imports, with its line: found in the syntax tree only. */
export function importSpecifiers(
  fileName: string,
  text: string,
): Array<{ specifier: string; line: number }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: Array<{ specifier: string; line: number }> = [];
  const visit = (node: ts.Node): void => {
    const specifier = moduleSpecifierOf(node);
    if (specifier !== undefined) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push({ specifier, line: line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The literal module name of an import-like node, or undefined for any other node. */
function moduleSpecifierOf(node: ts.Node): string | undefined {
  // import … from "x", import type …, import "x", export … from "x", export type * from "x"
  if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
    return literalText(node.moduleSpecifier);
  }
  // import x = require("x")
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
    return literalText(node.moduleReference.expression);
  }
  // import("x"); a computed name (`import(url)`) names no file we can check
  if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
    return literalText(node.arguments[0]);
  }
  // typeof import("x") and import("x").Type
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
    return literalText(node.argument.literal);
  }
  return undefined;
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node && ts.isStringLiteralLike(node) ? node.text : undefined;
}

const NODE_BUILTINS = new Set(builtinModules);

/** Where `specifier`, written in the src file `fromFile`, leads. */
export function resolveSpecifier(fromFile: string, specifier: string): ImportTarget {
  if (specifier.startsWith(".")) {
    // ESM imports name the compiled file: "./x.js" is the source "./x.ts".
    const joined = posix.join(posix.dirname(fromFile), specifier);
    const path = joined.replace(/\.js$/, ".ts");
    if (path.startsWith("../")) return { kind: "outside", path };
    return { kind: "src", path, folder: folderOf(path) };
  }
  if (specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0] as string)) {
    return { kind: "node", name: specifier };
  }
  return { kind: "package", name: specifier };
}

/** Tests may reach anywhere (a unit test beside its file uses fixtures of other layers). */
function isTest(path: string): boolean {
  return path.endsWith(".test.ts");
}

/** Every import edge of every non-test file, in path then line order. */
export function importEdges(files: SourceFiles): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of [...files.keys()].filter((path) => !isTest(path)).sort()) {
    for (const { specifier, line } of importSpecifiers(file, files.get(file) as string)) {
      edges.push({ file, line, specifier, target: resolveSpecifier(file, specifier) });
    }
  }
  return edges;
}

/** The folders `folder` may import under `rules` (itself not included). */
function allowedFolders(rules: LayerTable, folder: string): string[] {
  const rule = rules[folder];
  if (!rule) return [];
  const allowed = rule.mayImport === "anything" ? Object.keys(rules) : rule.mayImport;
  return allowed.filter((other) => other !== folder);
}

/** One violation per folder the table does not know, on the folder's first file. */
export function unknownFolderViolations(files: SourceFiles, rules: LayerTable): Violation[] {
  const checked = [...files.keys()].filter((path) => !isTest(path)).sort();
  const unknown = new Set(checked.map(folderOf).filter((folder) => !rules[folder]));
  return [...unknown].map((folder) => ({
    kind: "unknown folder",
    file: checked.find((path) => folderOf(path) === folder) as string,
    rule: `folder ${folder} is not in the layer table (LAYER_RULES): add it to the table`,
  }));
}

/** Each edge checked against the rule of its own folder (an unknown folder is reported apart). */
export function edgeViolations(edges: readonly ImportEdge[], rules: LayerTable): Violation[] {
  return edges.flatMap((edge) => {
    const broken = brokenRule(edge, rules);
    return broken ? [{ ...broken, file: edge.file, edge }] : [];
  });
}

/** The rule `edge` breaks, if any. */
function brokenRule(
  { file, target }: ImportEdge,
  rules: LayerTable,
): Pick<Violation, "kind" | "rule"> | undefined {
  const folder = folderOf(file);
  const rule = rules[folder];
  if (!rule) return undefined;
  if (target.kind === "node" && !rule.node) {
    return { kind: "node", rule: `${folder} imports no Node builtin` };
  }
  if (target.kind === "outside") {
    return { kind: "outside", rule: "src/ imports only src/, npm packages and Node builtins" };
  }
  const allowed = allowedFolders(rules, folder);
  if (target.kind === "src" && target.folder !== folder && !allowed.includes(target.folder)) {
    const mayImport = allowed.length === 0 ? "no other folder" : allowed.join(", ");
    return {
      kind: "layer",
      rule: `${folder} may not import ${target.folder} (it may import: ${mayImport})`,
    };
  }
  return undefined;
}

/**
 * The browser build: `entry` and every src file it reaches import no Node builtin. All edges are
 * followed, type-only ones too: a Node type in the browser client's declarations would make
 * browser users install @types/node.
 */
export function browserViolations(
  edges: readonly ImportEdge[],
  entry: string = BROWSER_ENTRY,
): Violation[] {
  const edgesByFile = groupBy(edges, (edge) => edge.file);
  // Breadth-first, so the path shown from the entry to a file is a shortest one.
  const reachedFrom = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const { target } of edgesByFile.get(file) ?? []) {
      if (target.kind === "src" && !reachedFrom.has(target.path)) {
        reachedFrom.set(target.path, file);
        queue.push(target.path);
      }
    }
  }
  const violations: Violation[] = [];
  for (const [file] of reachedFrom) {
    for (const edge of edgesByFile.get(file) ?? []) {
      if (edge.target.kind !== "node") continue;
      const path = pathFrom(reachedFrom, file).join(" → ");
      const rule = `the browser build imports no Node builtin (${path})`;
      violations.push({ kind: "browser", file, edge, rule });
    }
  }
  return violations;
}

/** The chain of files from the search's start to `file`, following `reachedFrom` back. */
function pathFrom(reachedFrom: ReadonlyMap<string, string | null>, file: string): string[] {
  const path = [file];
  for (let from = reachedFrom.get(file); from; from = reachedFrom.get(from)) path.unshift(from);
  return path;
}

/** A directed graph of names: each name → the names it points to. */
export type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/** The folder graph of the real edges: a → b when a file of a imports a file of b. */
export function folderGraph(edges: readonly ImportEdge[]): Graph {
  const graph = new Map<string, Set<string>>();
  for (const { file, target } of edges) {
    const from = folderOf(file);
    if (target.kind !== "src" || target.folder === from) continue;
    graph.set(from, (graph.get(from) ?? new Set()).add(target.folder));
  }
  return graph;
}

/** The folder graph the rules allow: a → b when a may import b. */
export function ruleGraph(rules: LayerTable = LAYER_RULES): Graph {
  return new Map(
    Object.keys(rules).map((folder) => [folder, new Set(allowedFolders(rules, folder))]),
  );
}

/** The strongly connected components of `graph` (Tarjan), each a set of names on a cycle. */
export function stronglyConnected(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (name: string): void => {
    index.set(name, index.size);
    lowLink.set(name, index.get(name) as number);
    stack.push(name);
    onStack.add(name);
    for (const next of graph.get(name) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(name, Math.min(lowLink.get(name) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(name, Math.min(lowLink.get(name) as number, index.get(next) as number));
      }
    }
    if (lowLink.get(name) !== index.get(name)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === name) break;
    }
    components.push(component.sort());
  };
  for (const name of [...graph.keys()].sort()) if (!index.has(name)) visit(name);
  return components;
}

/**
 * The cycles of `graph`, each as the names along it with the first repeated at the end
 * (`engine → tasks → engine`). Every edge that lies on a cycle is on at least one cycle listed:
 * for each such edge a → b, a shortest way back from b to a closes it. That shows every edge one
 * may cut, without listing the many cycles a tangle of folders has.
 */
export function cycles(graph: Graph): string[][] {
  const found = new Map<string, string[]>();
  for (const component of stronglyConnected(graph)) {
    if (component.length < 2) continue;
    const inside = new Set(component);
    for (const from of component) {
      for (const to of graph.get(from) ?? []) {
        if (!inside.has(to)) continue;
        const back = shortestPath(graph, inside, to, from);
        const cycle = rotateToSmallest([from, ...back.slice(0, -1)]);
        found.set(cycle.join(" → "), [...cycle, cycle[0] as string]);
      }
    }
  }
  return [...found.values()];
}

/** A shortest path from `start` to `goal` through `inside` only (both ends included). */
function shortestPath(graph: Graph, inside: ReadonlySet<string>, start: string, goal: string) {
  const reachedFrom = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  for (let name = queue.shift(); name !== undefined && name !== goal; name = queue.shift()) {
    for (const next of graph.get(name) ?? []) {
      if (inside.has(next) && !reachedFrom.has(next)) {
        reachedFrom.set(next, name);
        queue.push(next);
      }
    }
  }
  return pathFrom(reachedFrom, goal);
}

/** The same cycle starting at its smallest name, so one cycle found twice is kept once. */
function rotateToSmallest(cycle: string[]): string[] {
  const smallest = cycle.indexOf([...cycle].sort()[0] as string);
  return [...cycle.slice(smallest), ...cycle.slice(0, smallest)];
}

/** Each folder cycle of the real tree, as one violation per arrow naming one file edge of it. */
export function cycleViolations(edges: readonly ImportEdge[]): Violation[] {
  const violations: Violation[] = [];
  for (const cycle of cycles(folderGraph(edges))) {
    const rule = `no folder cycle: ${cycle.join(" → ")}`;
    for (let i = 0; i + 1 < cycle.length; i++) {
      const edge = edges.find(
        ({ file, target }) =>
          folderOf(file) === cycle[i] && target.kind === "src" && target.folder === cycle[i + 1],
      ) as ImportEdge;
      violations.push({ kind: "cycle", file: edge.file, edge, rule });
    }
  }
  return violations;
}

/** Every rule broken by `files`: the layer table, the browser build and the cycle rule. */
export function checkLayers(files: SourceFiles, rules: LayerTable = LAYER_RULES): Violation[] {
  const edges = importEdges(files);
  return [
    ...unknownFolderViolations(files, rules),
    ...edgeViolations(edges, rules),
    ...(files.has(BROWSER_ENTRY) ? browserViolations(edges) : []),
    ...cycleViolations(edges),
  ];
}

/** `file:line imports target — rule`, the line a developer reads to fix it. */
export function formatViolation({ file, edge, rule }: Violation): string {
  if (!edge) return `${file} — ${rule}`;
  return `${file}:${edge.line} imports ${targetText(edge.target)} — ${rule}`;
}

function targetText(target: ImportTarget): string {
  return target.kind === "node" || target.kind === "package" ? target.name : target.path;
}

/**
 * The edges a → b of `graph` not implied by a longer path a → … → b: the picture to draw. Meant
 * for an acyclic graph (the table has no cycle, a test says so); on a cycle it only terminates.
 */
export function transitiveReduction(graph: Graph): Graph {
  const reach = new Map<string, Set<string>>();
  const reachable = (name: string): Set<string> => {
    let found = reach.get(name);
    if (found) return found;
    found = new Set();
    reach.set(name, found); // before the walk, so a cycle cannot recurse forever
    for (const next of graph.get(name) ?? []) {
      found.add(next);
      for (const further of reachable(next)) found.add(further);
    }
    return found;
  };
  const reduced = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const direct = [...targets].filter(
      (to) => ![...targets].some((via) => via !== to && reachable(via).has(to)),
    );
    reduced.set(from, new Set(direct));
  }
  return reduced;
}

/** All `.ts` files under `srcDir`, by path relative to it (tests included; the check skips them). */
export function readSourceTree(srcDir: URL): Map<string, string> {
  const files = new Map<string, string>();
  const paths = readdirSync(srcDir, { recursive: true, encoding: "utf8" });
  for (const path of paths.filter((name) => name.endsWith(".ts")).sort()) {
    files.set(path, readFileSync(new URL(path, srcDir), "utf8"));
  }
  return files;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    groups.set(name, [...(groups.get(name) ?? []), item]);
  }
  return groups;
}
