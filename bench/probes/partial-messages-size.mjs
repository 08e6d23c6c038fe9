// Stored output of a Claude run with and without `--include-partial-messages` (docs/claude.md,
// "Partial messages"): the pinned CLI against the mock Messages API, a 1,000-word answer streamed
// in 12-character deltas (about what the real API sends), stdout bytes and lines counted.
// Run: npm run build && node bench/probes/partial-messages-size.mjs
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  numberedWords,
  startMockAnthropic,
  textReply,
} from "../../dist/testing/mock-anthropic/index.js";
import { ROOT } from "../util.mjs";

const mock = await startMockAnthropic();
const home = await mkdtemp(join(tmpdir(), "cc-executor-partial-size-"));
await mkdir(join(home, "tmp"));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  CLAUDE_CONFIG_DIR: join(home, ".claude"),
  TMPDIR: join(home, "tmp"),
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: "mock-key",
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
};
const answer = numberedWords(1000).replace(/\n/g, " ");
mock.setDefault(textReply(answer, { chunkChars: 12 }));
try {
  for (const partial of [false, true]) {
    const args = ["-p", "--output-format", "stream-json", "--verbose"];
    if (partial) args.push("--include-partial-messages");
    const child = spawn(join(ROOT, "node_modules", ".bin", "claude"), [...args, "--", "hi"], {
      env,
      cwd: home,
      stdio: ["ignore", "pipe", "ignore"],
    });
    let bytes = 0;
    let lines = 0;
    child.stdout.on("data", (data) => {
      bytes += data.length;
      lines += data.toString().split("\n").length - 1;
    });
    await new Promise((resolve) => child.once("close", resolve));
    console.log(
      `${partial ? "with" : "without"} partial messages: ${answer.length} characters of answer, ` +
        `${(bytes / 1000).toFixed(1)} KB of stream-json in ${lines} lines`,
    );
  }
} finally {
  await mock.close();
  await rm(home, { recursive: true, force: true });
}
