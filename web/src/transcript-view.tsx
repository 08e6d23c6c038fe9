/** The transcript of a Claude run [transcript]: what Claude said and did, then the result. */
import { formatCost, formatDuration } from "./format.js";
import type { TranscriptItem } from "./transcript.js";

export function TranscriptView({ items }: { items: TranscriptItem[] }) {
  return (
    <ol class="transcript" data-testid="transcript" aria-label="transcript">
      {items.length === 0 && <li class="muted">Waiting for Claude…</li>}
      {items.map((item, index) => (
        <li key={index} class={`t-${item.kind}`}>
          <Item item={item} />
        </li>
      ))}
    </ol>
  );
}

function Item({ item }: { item: TranscriptItem }) {
  switch (item.kind) {
    case "init":
      return (
        <span class="muted">
          session {item.sessionId.slice(0, 8)}, model {item.model}
        </span>
      );
    case "text":
      return <p class="said">{item.text}</p>;
    case "tool":
      return (
        <p>
          <span class="badge">tool</span> <strong>{item.name}</strong> <code>{item.input}</code>
        </p>
      );
    case "tool-result":
      return (
        <pre class={item.isError ? "tool-out error" : "tool-out"}>{item.text || "(no output)"}</pre>
      );
    case "result":
      return (
        <p class={item.isError ? "result error" : "result"} data-testid="transcript-result">
          <span class="badge">result</span> {item.text}
          <span class="muted">
            {" "}
            — {formatCost(item.costUsd)}, {item.turns ?? "?"} turns,{" "}
            {formatDuration(item.durationMs)}
          </span>
        </p>
      );
  }
}
