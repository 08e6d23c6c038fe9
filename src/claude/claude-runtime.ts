/**
 * What the server needs only once a Claude run starts: runs, detections, retries and the
 * stream-json schemas. Loaded through `loadClaudeRuntime()`, so a server that never runs Claude
 * does not hold it (docs/architecture.md, "Loaded on first use").
 */
export { attachPassiveClaude } from "./passive-claude.js";
export { startClaudeExecution } from "./start-claude-execution.js";
