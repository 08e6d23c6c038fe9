/**
 * A recorded Claude run (its stream-json output) as a person reads it: the model and session,
 * the assistant's text, tool calls and their results, the result with its turns and cost — the
 * same lines `cc-executor claude` prints live (claude-output.ts), for `history show`.
 */
import { parseClaudeLine, resultText } from "../protocol/stream-json.js";
import { transcriptLine } from "./claude-output.js";

export function claudeTranscript(streamJson: string): string {
  let text = "";
  for (const line of streamJson.split("\n")) {
    if (line.trim() === "") continue;
    const parsed = parseClaudeLine(line);
    if (parsed.kind === "result") {
      const { event } = parsed;
      const cost =
        typeof event.total_cost_usd === "number" ? ` · $${event.total_cost_usd.toFixed(4)}` : "";
      const turns = typeof event.num_turns === "number" ? ` · ${event.num_turns} turns` : "";
      text += `result (${event.subtype}): ${resultText(event)}${turns}${cost}\n`;
    } else {
      text += transcriptLine(parsed);
    }
  }
  return text;
}
