/**
 * A hook that is a JS module (docs/hooks.md), run in a worker thread so that nothing it does —
 * throwing, rejecting later, looping, calling process.exit — can take the server down:
 *
 *   export async function pre(context) { return { rewrite: { env: { … } } }; }
 *   export async function post(context) { … }
 *   // or: export default async function (context) { … }   (context.phase says which)
 *
 * One worker per module, started on first use and kept; a call past its timeout terminates the
 * worker (the next call starts a fresh one), as does a crash.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { HookDefinition } from "../config/hooks-config.js";
import { decisionOf } from "./hook-decision.js";
import {
  type Hook,
  type HookContext,
  type HookDecision,
  HookFailure,
  type HookPhase,
} from "./hook-types.js";

/** The worker's code (plain JS: the worker runs it without a TypeScript loader). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
// A promise a module forgot to await must not stop the worker (and fail calls in flight).
process.on("unhandledRejection", () => {});
const loaded = import(workerData.url);
loaded.catch(() => {});
parentPort.on("message", async ({ id, context }) => {
  try {
    const module = await loaded;
    const phase = context.phase;
    const fn = typeof module[phase] === "function" ? module[phase]
      : typeof module.default === "function" ? module.default
      : module.default && typeof module.default[phase] === "function" ? module.default[phase]
      : null;
    if (!fn) throw new Error("the module exports no " + phase + "() and no default function");
    const result = await fn(context);
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Pending {
  resolve(value: HookDecision): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export interface ModuleHookOptions {
  /** Relative module paths start here (the config file's folder). */
  baseDir: string;
  defaultTimeoutMs: number;
}

export function moduleHook(
  definition: HookDefinition & { module: string },
  phase: HookPhase,
  options: ModuleHookOptions,
): Hook {
  const path = isAbsolute(definition.module)
    ? definition.module
    : resolve(options.baseDir, definition.module);
  const timeoutMs = definition.timeout ? definition.timeout * 1000 : options.defaultTimeoutMs;
  const host = new ModuleHost(pathToFileURL(path).href);
  return {
    name: definition.name ?? definition.module,
    type: "module",
    phase,
    kinds: definition.kinds ?? null,
    timeoutMs,
    describe: path,
    run: (context) => host.call(context, timeoutMs),
    close: () => host.close(),
  };
}

class ModuleHost {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly url: string) {}

  call(context: HookContext, timeoutMs: number): Promise<HookDecision> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new HookFailure(`no answer within ${timeoutMs / 1000} s; worker stopped`, "timeout"),
        );
        // A stuck module (an endless loop, a promise that never settles) is only stopped this way.
        this.stop(worker, new HookFailure("the worker was stopped (another call timed out)"));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, context });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      this.stop(worker, new HookFailure("the server is stopping"));
      await worker.terminate();
    }
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url: this.url },
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.unref();
    worker.on("message", (message: { id: number; result?: unknown; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error !== undefined) {
        pending.reject(new HookFailure(`threw: ${message.error}`));
        return;
      }
      try {
        pending.resolve(decisionOf(message.result));
      } catch (error) {
        pending.reject(error as Error);
      }
    });
    worker.on("error", (error) => this.stop(worker, new HookFailure(`crashed: ${error.message}`)));
    worker.on("exit", (code) => this.stop(worker, new HookFailure(`its worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Fails every call in flight and forgets the worker (the next call starts a new one). */
  private stop(worker: Worker, error: HookFailure): void {
    if (this.worker !== worker) return;
    this.worker = null;
    void worker.terminate();
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}
