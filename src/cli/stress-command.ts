/**
 * `cc-executor stress [--tasks N] [--parallel P] [--mock]` (DESIGN §8, §9): the ten scenarios
 * against the running server (or one started in this process), a Markdown report printed and
 * written to a file, exit code 1 when any task failed. `--mock` answers Claude runs with the
 * built-in mock Anthropic API, so the suite runs without a login or network.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { ClaudeOptions } from "../client/claude.js";
import { resolveEndpoint } from "../client/node.js";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { VERSION } from "../protocol/version.js";
import type { StressMock } from "../stress/mock-environment.js";
import type { StressRun, StressTaskResult } from "../stress/run-stress.js";
import { findExecutable } from "../supervisor/process/shell.js";
import { CliError } from "./cli-error.js";
import { connectOrStart } from "./connect-or-start.js";
import { settingsFromFlags } from "./settings-from-flags.js";

interface StressFlags {
  tasks: string;
  parallel: string;
  mock?: boolean;
  report?: string;
  json?: boolean;
}

export function registerStressCommand(program: Command): void {
  program
    .command("stress")
    .description("run the stress suite (10 scenarios) against the server and write a report")
    .option("--tasks <n>", "scenario runs, cycling through the ten", "10")
    .option("--parallel <n>", "how many run at once", "1")
    .option("--mock", "answer Claude runs with the built-in mock Anthropic API (offline)")
    .option("--report <file>", "where to write the report (default: <home>/reports/…)")
    .option("--json", "print the results as one JSON object instead of the report")
    .action(async (flags: StressFlags) => {
      process.exitCode = await stressCommand(flags);
    });
}

function count(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag}: expected an integer ≥ 1`, 2);
  return n;
}

/** The CLI this package pins for development, when nothing else names one. */
function bundledClaude(): string | null {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const bin = join(root, "node_modules", ".bin", "claude");
  return existsSync(bin) ? bin : null;
}

function mockSettings(settings: Settings): Settings {
  if (settings.claudeBin || findExecutable("claude")) return settings;
  const bundled = bundledClaude();
  return bundled ? { ...settings, claudeBin: bundled } : settings;
}

async function stressCommand(flags: StressFlags): Promise<number> {
  const tasks = count(flags.tasks, "--tasks");
  const parallel = count(flags.parallel, "--parallel");
  // Loaded here, not at CLI start: other commands need none of it.
  const { startStressMock } = await import("../stress/mock-environment.js");
  const { stressReport } = await import("../stress/report.js");
  const { runStress } = await import("../stress/run-stress.js");
  let settings = settingsFromFlags({});
  let mock: StressMock | null = null;
  let workRoot: string | null = null;
  try {
    if (flags.mock) {
      mock = await startStressMock();
      settings = mockSettings(settings);
    }
    const session = await connectOrStart(settings);
    try {
      const endpoint = session.server
        ? { url: session.server.wsUrl, token: session.server.token }
        : resolveEndpoint({
            home: settings.home,
            url:
              process.env.CC_EXECUTOR_URL ||
              readServerInfo(homePaths(settings.home).serverInfo)?.wsUrl,
          });
      const claude: ClaudeOptions = mock ? { env: mock.env, authMode: "api-key" } : {};
      workRoot = await mkdtemp(join(tmpdir(), "cc-executor-stress-"));
      process.stderr.write(
        `cc-executor stress: ${tasks} task(s), ${parallel} at a time, against ${endpoint.url}` +
          `${mock ? " (mock Anthropic API)" : ""}\n`,
      );
      const run = await runStress({
        tasks,
        parallel,
        workRoot,
        context: {
          client: session.client,
          url: endpoint.url,
          token: endpoint.token,
          claude,
          mock: !!mock,
        },
        onTaskEnd: progress,
      });
      const report = stressReport(run, {
        serverUrl: endpoint.url,
        mock: !!mock,
        claudeBin: settings.claudeBin ?? "claude (from PATH)",
        version: VERSION,
      });
      const path = resolve(
        flags.report ??
          join(
            settings.home,
            "reports",
            `stress-${run.startedAt.toISOString().replace(/[:.]/g, "-")}.md`,
          ),
      );
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, report);
      const failed = run.results.filter((r) => !r.outcome.passed).length;
      process.stdout.write(
        flags.json ? `${JSON.stringify(stressJson(run, failed, path), null, 2)}\n` : report,
      );
      process.stderr.write(
        `cc-executor stress: ${run.results.length - failed}/${run.results.length} passed; report: ${path}\n`,
      );
      return failed === 0 ? 0 : 1;
    } finally {
      await session.close();
    }
  } finally {
    await mock?.close();
    if (workRoot) await rm(workRoot, { recursive: true, force: true });
  }
}

function progress(result: StressTaskResult, total: number): void {
  const mark = result.outcome.passed ? "✓" : "✗";
  const error = result.outcome.error ? ` — ${result.outcome.error}` : "";
  process.stderr.write(
    `${mark} ${result.index}/${total} ${result.scenario.title} ` +
      `(${(result.durationMs / 1000).toFixed(2)} s)${error}\n`,
  );
}

/** `stress --json`: what the report says, for programs (snake_case, like the protocol). */
function stressJson(run: StressRun, failed: number, reportPath: string) {
  return {
    started_at: run.startedAt.toISOString(),
    duration_ms: Math.round(run.durationMs),
    tasks: run.tasks,
    parallel: run.parallel,
    passed: run.results.length - failed,
    failed,
    report: reportPath,
    results: run.results.map((r) => ({
      index: r.index,
      scenario: r.scenario.name,
      passed: r.outcome.passed,
      error: r.outcome.error,
      duration_ms: Math.round(r.durationMs),
      output_bytes: r.outcome.outputBytes,
      metrics: r.outcome.metrics,
    })),
  };
}
