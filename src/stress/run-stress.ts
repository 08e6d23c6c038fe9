/**
 * Runs the stress suite: `tasks` scenario runs (cycling through the ten of DESIGN §9, each once
 * by default), at most `parallel` at a time, each in its own work directory.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  claudeWithTools,
  jsonStreaming,
  largeOutput,
  sequential,
  simplePrompt,
} from "./claude-scenarios.js";
import {
  bufferHandling,
  cancelMidStream,
  environment,
  errorHandling,
  timeouts,
} from "./process-scenarios.js";
import type { ScenarioOutcome, StressContext, StressScenario } from "./scenario.js";

export const SCENARIOS: readonly StressScenario[] = [
  simplePrompt,
  largeOutput,
  jsonStreaming,
  timeouts,
  sequential,
  errorHandling,
  environment,
  bufferHandling,
  claudeWithTools,
  cancelMidStream,
];

export interface StressTaskResult {
  /** 1-based. */
  index: number;
  scenario: StressScenario;
  outcome: ScenarioOutcome;
  durationMs: number;
}

export interface StressOptions {
  tasks: number;
  parallel: number;
  /** Everything of StressContext but the per-task work directory. */
  context: Omit<StressContext, "workDir">;
  /** Task work directories are made under this one. */
  workRoot: string;
  onTaskEnd?(result: StressTaskResult, total: number): void;
}

export interface StressRun {
  results: StressTaskResult[];
  startedAt: Date;
  durationMs: number;
  tasks: number;
  parallel: number;
}

export async function runStress(options: StressOptions): Promise<StressRun> {
  const startedAt = new Date();
  const started = performance.now();
  const results: StressTaskResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.tasks) {
      const index = ++next;
      const scenario = SCENARIOS[(index - 1) % SCENARIOS.length] as StressScenario;
      const workDir = join(options.workRoot, `task-${index}-${scenario.name}`);
      await mkdir(workDir, { recursive: true });
      const taskStart = performance.now();
      const outcome = await scenario.run({ ...options.context, workDir });
      const result = { index, scenario, outcome, durationMs: performance.now() - taskStart };
      results.push(result);
      options.onTaskEnd?.(result, options.tasks);
    }
  };
  const workers = Math.max(1, Math.min(options.parallel, options.tasks));
  await Promise.all(Array.from({ length: workers }, worker));
  results.sort((a, b) => a.index - b.index);
  return {
    results,
    startedAt,
    durationMs: performance.now() - started,
    tasks: options.tasks,
    parallel: options.parallel,
  };
}
