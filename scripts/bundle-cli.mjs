// Part of `npm run build`: bundles the `cc-executor` command (dist/cli/main.js, built by tsc) into
// dist/command/, which bin/cc-executor.mjs runs.
//
// Why a bundle: a long-lived server pays for every module it loads, all the time. Loading the
// 120-odd modules of dist/ and zod as files keeps ~3.5 MB more resident than one tree-shaken
// file per command group (docs/benchmarks.md, "The memory goals"), and starts slower. Whitespace
// and syntax are minified, names are kept so stack traces stay readable; the source map is
// beside it (`NODE_OPTIONS=--enable-source-maps` maps traces to src/).
//
// The library entry points (package.json "exports") stay the plain tsc output in dist/.
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Chunk names carry content hashes: clear out the previous build's.
const outdir = join(root, "dist", "command");
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [join(root, "dist", "cli", "main.js")],
  outdir,
  bundle: true,
  // Each command group stays its own chunk, loaded only when that command runs.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: "linked",
  sourcesContent: false,
  external: runtimeExternals(),
  logLevel: "warning",
});

/**
 * Dependencies Node loads from node_modules at run time: the CommonJS ones (loaded with `require`,
 * src/runtime/require-cjs.ts, or only on demand) gain nothing from bundling. zod is the one
 * bundled: it is ESM and tree-shaken to the parts we use, where most of the saving comes from.
 */
function runtimeExternals() {
  const { dependencies } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return Object.keys(dependencies).filter((name) => name !== "zod");
}
