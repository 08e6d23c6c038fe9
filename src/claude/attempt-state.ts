/**
 * What one process (attempt) of a Claude run has shown so far: the parsed stdout lines that
 * matter for completion and detection, and the tail of stderr.
 */

import { LineSplitter } from "../protocol/line-splitter.js";
import type { ResultEvent } from "../protocol/stream-json.js";
import type { Detection } from "./detectors.js";

const STDERR_TAIL_CHARS = 2048;

export class AttemptState {
  readonly lines = new LineSplitter();
  /** Per stream: a chunk may end inside a character when the output is base64-chunked. */
  readonly stdoutText = new TextDecoder("utf-8");
  readonly stderrText = new TextDecoder("utf-8");
  sessionId: string | null = null;
  /** The latest `result` (a run with background tasks prints more than one). */
  result: ResultEvent | null = null;
  resultCount = 0;
  /** Background tasks the CLI still runs (from `system/background_tasks_changed`). */
  backgroundTasks = 0;
  /** `rate_limit_event` rejected: a usage limit, and when it resets (epoch s) if said. */
  usageLimited = false;
  usageResetAt: number | null = null;
  /** `api_retry` events for 401/403. */
  authRetries = 0;
  /** cc-executor stopped the attempt because retrying cannot fix its auth. */
  authFailedFast = false;
  rootRefusal = false;
  /** What the CLI did last, for the "still thinking" status message. */
  activity = "starting";
  stderrTail = "";
  /** Detection types already notified in this attempt (each is said once). */
  readonly notified = new Set<Detection["type"]>();

  addStderr(text: string): void {
    const joined = this.stderrTail + text;
    this.stderrTail =
      joined.length > STDERR_TAIL_CHARS ? joined.slice(joined.length - STDERR_TAIL_CHARS) : joined;
  }

  /** The last non-empty stderr lines, for error messages. */
  stderrSummary(maxChars = 400): string {
    const text = this.stderrTail.trim();
    return text.length > maxChars ? `…${text.slice(text.length - maxChars)}` : text;
  }

  get cost(): number | null {
    const cost = this.result?.total_cost_usd;
    return typeof cost === "number" ? cost : null;
  }
}
