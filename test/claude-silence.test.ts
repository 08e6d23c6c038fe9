/**
 * A model that is silent for 45 s (DESIGN §4 process.status, §6): the real CLI waits on the
 * mock without printing anything; the server says every statusInterval that Claude is thinking,
 * and nothing times out unless asked. Kept in its own file so it runs beside the other suites.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { textReply } from "./fixtures/mock-anthropic/index.js";
import { type ClaudeHarness, startClaudeHarness } from "./helpers/claude-server.js";

const SILENCE_MS = 45_000;
const STATUS_INTERVAL_MS = 8_000;

let h: ClaudeHarness;

beforeAll(async () => {
  h = await startClaudeHarness({ statusIntervalMs: STATUS_INTERVAL_MS });
});

afterAll(async () => {
  await h?.stop();
});

it("reports a model silent for 45 s as thinking, and completes without a timeout", async () => {
  h.mock.setDefault(textReply("finally", { delayMs: SILENCE_MS }));
  const started = Date.now();
  const { id, completed } = await h.claude("Think hard.");
  const elapsed = Date.now() - started;
  expect(completed.status).toBe("completed");
  expect(completed.claude).toMatchObject({ result: "finally" });
  expect(elapsed).toBeGreaterThanOrEqual(SILENCE_MS);
  // The CLI printed its init (and a system/status "requesting"), then nothing until the answer
  // streamed (stream_event pieces around the whole message): the statuses came in between.
  const lines = h.socket
    .output(id)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((line) => line.type !== "stream_event" && line.subtype !== "status")
    .map((line) => line.type);
  expect(lines).toEqual(["system", "assistant", "result"]);
  const statuses = h.socket.all("process.status", id).map((m) => m.params ?? {});
  expect(statuses.length).toBeGreaterThanOrEqual(Math.floor(SILENCE_MS / STATUS_INTERVAL_MS) - 1);
  for (const status of statuses) {
    expect(status).toMatchObject({ execution_id: id, status: "running" });
    expect(String(status.message)).toMatch(/Claude is thinking; no output for \d+s/);
  }
  const order = h.socket.messages.filter(
    (m) =>
      m.params?.execution_id === id &&
      (m.method === "process.output" || m.method === "process.status"),
  );
  const firstStatus = order.findIndex((m) => m.method === "process.status");
  const answer = order.findIndex((m) => String(m.params?.data).includes('"type":"stream_event"'));
  expect(order[0]?.method).toBe("process.output");
  expect(firstStatus).toBeGreaterThan(0);
  expect(answer).toBeGreaterThan(firstStatus + statuses.length - 1);
  const silences = statuses.map((s) => Number(s.inactive_seconds));
  expect(silences).toEqual([...silences].sort((a, b) => a - b));
  expect(Math.max(...silences)).toBeGreaterThanOrEqual(35);
}, 120_000);
