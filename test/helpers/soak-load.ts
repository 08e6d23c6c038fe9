/**
 * The soak load (issue 15, "Long runs"): many executions through a real server, each with a
 * random fate — plain output, failure, cancel, wall or idle timeout, pause then resume, pause
 * then cancel — over several connections with several executions in flight on each. It records
 * every `process.completed` per execution, so a test can ask for exactly one each.
 *
 * A light client of its own (ws + a map per request id and per execution): the test RpcSocket
 * keeps and scans every message, which is quadratic over thousands of executions.
 */
import WebSocket from "ws";

type Json = Record<string, unknown>;

export type Fate =
  | "echo"
  | "output"
  | "fail"
  | "cancel"
  | "wall-timeout"
  | "idle-timeout"
  | "pause-resume"
  | "pause-cancel";

/** Each fate, its weight, what it runs and the status it must end with. */
const FATES: Array<{ fate: Fate; weight: number; status: string }> = [
  { fate: "echo", weight: 30, status: "completed" },
  { fate: "output", weight: 10, status: "completed" },
  { fate: "fail", weight: 10, status: "failed" },
  { fate: "cancel", weight: 15, status: "canceled" },
  { fate: "wall-timeout", weight: 10, status: "timed_out" },
  { fate: "idle-timeout", weight: 5, status: "timed_out" },
  { fate: "pause-resume", weight: 10, status: "completed" },
  { fate: "pause-cancel", weight: 10, status: "canceled" },
];

/** mulberry32: a seeded generator, so a failing run can be repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class SoakClient {
  private nextId = 1;
  private readonly replies = new Map<number, (message: Json) => void>();
  private readonly started = new Map<string, () => void>();
  private readonly completedWaiters = new Map<string, (params: Json) => void>();
  readonly completions = new Map<string, Json[]>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const parsed = JSON.parse(data.toString()) as Json | Json[];
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.receive(message);
    });
    ws.on("error", () => {});
  }

  static open(url: string, token: string): Promise<SoakClient> {
    const ws = new WebSocket(url, [], {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new SoakClient(ws)));
      ws.once("error", reject);
    });
  }

  call(method: string, params: Json): Promise<Json> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return new Promise((resolve) => this.replies.set(id, resolve));
  }

  whenStarted(id: string): Promise<void> {
    return new Promise((resolve) => this.started.set(id, resolve));
  }

  whenCompleted(id: string): Promise<Json> {
    const seen = this.completions.get(id)?.[0];
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.completedWaiters.set(id, resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close();
    });
  }

  private receive(message: Json): void {
    if (typeof message.id === "number" && !("method" in message)) {
      this.replies.get(message.id)?.(message);
      this.replies.delete(message.id);
      return;
    }
    const params = (message.params ?? {}) as Json;
    const id = String(params.execution_id);
    if (message.method === "process.started") {
      this.started.get(id)?.();
      this.started.delete(id);
    } else if (message.method === "process.completed") {
      const list = this.completions.get(id) ?? [];
      list.push(params);
      this.completions.set(id, list);
      this.completedWaiters.get(id)?.(params);
      this.completedWaiters.delete(id);
    }
  }
}

export interface SoakOptions {
  wsUrl: string;
  token: string;
  executions: number;
  connections: number;
  inFlightPerConnection: number;
  seed: number;
  /** Put in every command line, so leftover processes can be found by it. */
  marker: string;
}

export interface SoakOutcome {
  id: string;
  fate: Fate;
  expected: string;
  status: string | null;
  /** How many `process.completed` it got (exactly one is right). */
  completions: number;
  /** From `execute` sent to `process.completed` received. */
  ms: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the load; resolves once every execution has completed (or the caller's timeout hits). */
export async function runSoak(options: SoakOptions): Promise<SoakOutcome[]> {
  const random = seededRandom(options.seed);
  const totalWeight = FATES.reduce((sum, f) => sum + f.weight, 0);
  const pick = () => {
    let roll = random() * totalWeight;
    for (const entry of FATES) {
      roll -= entry.weight;
      if (roll < 0) return entry;
    }
    return FATES[0] as (typeof FATES)[number];
  };
  // Decided up front, in order, so a seed gives the same load whatever the timing.
  const plan = Array.from({ length: options.executions }, (_, i) => ({
    id: `soak-${options.seed}-${i}`,
    ...pick(),
    delayMs: Math.floor(random() * 60),
  }));
  const clients = await Promise.all(
    Array.from({ length: options.connections }, () =>
      SoakClient.open(options.wsUrl, options.token),
    ),
  );
  const outcomes: SoakOutcome[] = [];
  let next = 0;
  const worker = async (client: SoakClient) => {
    for (let item = plan[next++]; item !== undefined; item = plan[next++]) {
      const params: Json = {
        execution_id: item.id,
        command: commandFor(item.fate, options.marker),
      };
      if (item.fate === "wall-timeout") params.timeout = 0.2;
      if (item.fate === "idle-timeout") params.idle_timeout = 0.2;
      const started = client.whenStarted(item.id);
      const sentAt = performance.now();
      const reply = await client.call("execute", params);
      if (reply.error) throw new Error(`execute ${item.id} failed: ${JSON.stringify(reply.error)}`);
      await act(client, item.id, item.fate, item.delayMs, started);
      const completed = await client.whenCompleted(item.id);
      outcomes.push({
        id: item.id,
        fate: item.fate,
        expected: item.status,
        status: typeof completed.status === "string" ? completed.status : null,
        completions: 0,
        ms: performance.now() - sentAt,
      });
    }
  };
  await Promise.all(
    clients.flatMap((client) =>
      Array.from({ length: options.inFlightPerConnection }, () => worker(client)),
    ),
  );
  // One more round trip on each connection: a second completion sent late arrives before it.
  await Promise.all(clients.map((client) => client.call("executions.list", { limit: 1 })));
  const byId = new Map<string, number>();
  for (const client of clients) {
    for (const [id, list] of client.completions) byId.set(id, (byId.get(id) ?? 0) + list.length);
  }
  for (const outcome of outcomes) outcome.completions = byId.get(outcome.id) ?? 0;
  await Promise.all(clients.map((client) => client.close()));
  return outcomes;
}

function commandFor(fate: Fate, marker: string): string {
  switch (fate) {
    case "echo":
      return `echo ${marker}`;
    case "output":
      return `seq 1 3000; : ${marker}`;
    case "fail":
      return `echo ${marker} >&2; exit 3`;
    case "pause-resume":
      return `sleep 0.2; echo ${marker}`;
    default:
      // Long enough never to end by itself before it is canceled or timed out.
      return `sleep 30; : ${marker}`;
  }
}

async function act(
  client: SoakClient,
  id: string,
  fate: Fate,
  delayMs: number,
  started: Promise<void>,
): Promise<void> {
  if (fate === "cancel") {
    await started;
    await pause(delayMs);
    await client.call("control", { type: "CANCEL", execution_id: id });
  } else if (fate === "pause-resume" || fate === "pause-cancel") {
    await started;
    // A pause that comes after the end is refused; the run then simply completed.
    await client.call("control", { type: "PAUSE", execution_id: id });
    await pause(delayMs);
    const type = fate === "pause-resume" ? "RESUME" : "CANCEL";
    await client.call("control", { type, execution_id: id });
  }
}
