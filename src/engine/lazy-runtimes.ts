/**
 * Parts of the engine loaded on first use (docs/architecture.md, "Loaded on first use"): a
 * long-lived server pays for the code it holds all the time, and many never run Claude. The
 * Claude runtime (runs, detections, retries, the stream-json schemas) comes with the first
 * `claude.execute`, `/ws/claude` prompt, Claude task or `execute` of a `claude …` line. (Task
 * lists load theirs in tasks/tasks-runtime-loader.ts.)
 */
import { loadOnce } from "../runtime/load-once.js";

export const loadClaudeExecution = loadOnce(() => import("./claude-execution.js"));
