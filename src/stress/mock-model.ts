/**
 * A stand-in model for `cc-executor stress --mock`: rules on the mock Anthropic API that answer
 * the suite's prompts the way a cooperative model would (2+2 → 4, 5,000 numbered words, Write
 * and Read tool calls, a slow essay to cancel), so the real CLI can be driven offline.
 */
import {
  firstUserText,
  type MockAnthropic,
  numberedWords,
  type RecordedRequest,
  readFileReply,
  textReply,
  toolResults,
  writeFileReply,
} from "../testing/mock-anthropic/index.js";

/** The Read tool numbers lines ("     1→text"); the content without the numbers. */
function withoutLineNumbers(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/^\s*\d+\u2192/, ""))
    .join("\n")
    .trim();
}

function afterTool(request: RecordedRequest): string | null {
  const [result] = toolResults(request);
  return result ? result.text : null;
}

export function installStressModel(mock: MockAnthropic): void {
  const prompt = (pattern: RegExp) => (request: RecordedRequest) =>
    pattern.test(firstUserText(request));
  mock.when(prompt(/What is 2\+2\?/), textReply("4"));
  mock.when(prompt(/Write exactly (\d+) words/), (request) => {
    const count = Number(/Write exactly (\d+) words/.exec(firstUserText(request))?.[1] ?? 0);
    return textReply(numberedWords(count).replace(/\n/g, " "), { chunkChars: 256 });
  });
  mock.when(prompt(/primary colours/), textReply("red\nyellow\nblue"));
  mock.when(prompt(/Reply with the number (\d+)/), (request) =>
    textReply(/Reply with the number (\d+)/.exec(firstUserText(request))?.[1] ?? "?"),
  );
  mock.when(prompt(/Add (\d+) to (\d+)/), (request) => {
    const match = /Add (\d+) to (\d+)/.exec(firstUserText(request));
    return textReply(String(Number(match?.[1]) + Number(match?.[2])));
  });
  mock.when(prompt(/create the file (\S+) containing exactly: (\S+)/), (request) => {
    const toolOutput = afterTool(request);
    if (toolOutput !== null) return textReply("Done: the file is written.");
    const match = /create the file (\S+) containing exactly: (\S+)/.exec(firstUserText(request));
    return writeFileReply(match?.[1] ?? "/nonexistent", `${match?.[2] ?? ""}\n`);
  });
  mock.when(prompt(/read the file (\S+) and reply/), (request) => {
    const toolOutput = afterTool(request);
    if (toolOutput !== null) return textReply(withoutLineNumbers(toolOutput));
    const file = /read the file (\S+) and reply/.exec(firstUserText(request))?.[1] ?? "/none";
    return readFileReply(file);
  });
  // Slow enough (≈ 10 s) that a cancel lands mid-stream.
  mock.when(
    prompt(/long essay/),
    textReply(numberedWords(3000), { chunkChars: 24, eventDelayMs: 10 }),
  );
}
