/**
 * The MCP prompt `orchestrate` (DESIGN §13): the orchestrator guide, docs/orchestrating.md
 * itself, read when asked for (the package ships the file; `src/mcp/`, `dist/mcp/` and the
 * bundle's `dist/command/` all sit two folders below the package root).
 */
import { readFileSync } from "node:fs";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";

export const ORCHESTRATE_DESCRIPTION =
  "How to hand out work with cc-executor: when to use run_task, passing results on, verifying, long lists.";

const GUIDE_URL = new URL("../../docs/orchestrating.md", import.meta.url);

export function orchestratingGuide(): string {
  try {
    return readFileSync(GUIDE_URL, "utf8");
  } catch {
    return "Use run_task for one task in a fresh process, run_task_list for tasks in order ({{previous.result}} passes results on), start_task_list + get_task_run {wait: true} for long lists. The full guide: docs/orchestrating.md of cc-executor.";
  }
}

export function orchestratePrompt(): GetPromptResult {
  return {
    description: ORCHESTRATE_DESCRIPTION,
    messages: [{ role: "user", content: { type: "text", text: orchestratingGuide() } }],
  };
}
