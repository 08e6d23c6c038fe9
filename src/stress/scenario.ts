/**
 * The stress suite's vocabulary (DESIGN §9): a scenario runs against a live server through the
 * SDK and says whether it passed, how much output it moved and what it measured.
 */

import type { ClaudeOptions } from "../client/claude.js";
import type { CcExecutorClient } from "../client/client.js";

export interface StressContext {
  client: CcExecutorClient;
  /** ws://…/ws/mcp and its token, for checks that need a raw socket (bad frames). */
  url: string;
  token: string | null;
  /** A fresh directory for this task (the server must be able to use it: same machine). */
  workDir: string;
  /** Options every Claude run of the suite gets (env and auth mode for the mock). */
  claude: ClaudeOptions;
  /** True when the Claude runs talk to the built-in mock (exact answers can be expected). */
  mock: boolean;
}

export interface ScenarioOutcome {
  passed: boolean;
  /** What failed, in one line (null when passed). */
  error: string | null;
  /** Output bytes the scenario received (stdout + stderr of its executions). */
  outputBytes: number;
  /** Scenario-specific facts for the report ("Word count": 5000, …). */
  metrics: Record<string, string | number>;
}

export interface StressScenario {
  name: string;
  title: string;
  run(context: StressContext): Promise<ScenarioOutcome>;
}

/** Collects facts while a scenario runs; `check` records the first failed expectation. */
export class Outcome {
  error: string | null = null;
  outputBytes = 0;
  readonly metrics: Record<string, string | number> = {};

  check(condition: boolean, message: string): boolean {
    if (!condition && this.error === null) this.error = message;
    return condition;
  }

  bytes(...counts: Array<number | undefined>): void {
    for (const count of counts) this.outputBytes += count ?? 0;
  }

  done(): ScenarioOutcome {
    return {
      passed: this.error === null,
      error: this.error,
      outputBytes: this.outputBytes,
      metrics: this.metrics,
    };
  }
}

/** Defines a scenario whose body fills an Outcome; a thrown error fails it. */
export function scenario(
  name: string,
  title: string,
  body: (context: StressContext, outcome: Outcome) => Promise<void>,
): StressScenario {
  return {
    name,
    title,
    async run(context) {
      const outcome = new Outcome();
      try {
        await body(context, outcome);
      } catch (error) {
        outcome.check(false, (error as Error).message || String(error));
      }
      return outcome.done();
    },
  };
}
