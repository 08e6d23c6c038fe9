#!/bin/sh
":" //; [ -n "${MALLOC_TRIM_THRESHOLD_+set}" ] || export MALLOC_TRIM_THRESHOLD_=131072 CC_EXECUTOR_LAUNCHER_ENV=MALLOC_TRIM_THRESHOLD_; exec node --max-semi-space-size=2 "$0" "$@"

// The `cc-executor` command. Run as a program, /bin/sh reads the line above and starts node on
// this same file with V8 flags of our choosing; node reads that line as a string and a comment.
//
// --max-semi-space-size=2 caps V8's young generation at 2 MiB per semi-space. Left alone it grows
// to 16 MiB under sustained output (V8 grows it once enough objects survive, and keeps it), which
// is ~8–12 MB of a server's resident memory; streaming throughput is the same within noise
// (docs/benchmarks.md). A program's V8 flags can only be set when node starts, hence this line;
// `server start --detach` passes the same flags (SERVER_NODE_FLAGS in src/cli/server-detach.ts).
//
// MALLOC_TRIM_THRESHOLD_ (unless already set) turns off glibc's dynamic mmap threshold, so memory
// a large stream made malloc take is given back; kept, it slows every later fork
// (src/runtime/server-malloc-env.ts says why; children do not inherit it).
import "../dist/command/main.js";
