/**
 * The MCP prompt `orchestrate` (DESIGN §13): the orchestrator guide, the same text as
 * docs/orchestrating.md (test/mcp-server.test.ts checks that they match).
 */
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { ORCHESTRATING_GUIDE } from "./orchestrating-guide.js";

export const ORCHESTRATE_DESCRIPTION =
  "How to hand out work with cc-executor: when to use run_task, passing results on, verifying, long lists.";

export function orchestratePrompt(): GetPromptResult {
  return {
    description: ORCHESTRATE_DESCRIPTION,
    messages: [{ role: "user", content: { type: "text", text: ORCHESTRATING_GUIDE } }],
  };
}
