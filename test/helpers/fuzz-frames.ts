/**
 * Malformed JSON-RPC frames and batches of every shape, generated from a seed (the same seed
 * gives the same frames, so a failure can be replayed). Nothing generated here can start a
 * process: `execute`, `claude.execute` and `tasks.run` only ever get params their schema refuses;
 * other methods get random params (unknown ids, wrong types, huge numbers).
 */

/** The server's largest frame (maxPayloadBytes, 1 MiB by default), with room to spare. */
const MAX_FRAME_BYTES = 1_000_000;

export interface FuzzFrame {
  data: string | Buffer;
  /** Sent as a binary frame (answered with -32600). */
  binary?: boolean;
  /** The close code the server ends the connection with after this frame (1007, 1009). */
  closes?: number;
}

/** mulberry32: a small, fast, seedable PRNG. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HARMLESS_METHODS = [
  "control",
  "subscribe",
  "unsubscribe",
  "hook_status",
  "pong",
  "executions.list",
  "server.status",
  "history.list",
  "history.get",
  "tasks.get",
  "tasks.resume",
  "tasks.cancel",
  "tasks.list",
];
const ODD_METHODS = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "EXECUTE",
  " execute",
  "execute ",
  "process.output",
  "rpc.discover",
  "\u0000",
  "é",
  "a".repeat(500),
];

/** Params `execute`, `claude.execute` and `tasks.run` always refuse: nothing ever runs. */
const REFUSED_START_PARAMS: Array<[string, unknown]> = [
  ["execute", { command: 42 }],
  ["execute", { command: ["echo", "x"] }],
  ["execute", { command: "echo\u0000x" }],
  ["execute", { command: "true", timeout: -1 }],
  ["execute", { command: "true", timeout: 1e12 }],
  ["execute", { command: "true", idle_timeout: "soon" }],
  ["execute", { command: "true", env: { "BAD NAME": "x" } }],
  ["execute", { command: "true", env: { __proto__: null, A: 1 } }],
  ["execute", { command: "true", execution_id: "../etc" }],
  ["execute", { command: "true", output_encoding: "utf16" }],
  ["execute", null],
  ["execute", "true"],
  ["claude.execute", { prompt: "   " }],
  ["claude.execute", { prompt: "hi", model: "-x" }],
  ["claude.execute", { prompt: "hi", timeout: 3e6 }],
  ["claude.execute", { prompt: 7 }],
  ["tasks.run", {}],
  ["tasks.run", { list: { tasks: [] }, path: "/x.md" }],
  ["tasks.run", { list: { tasks: [{ command: "true", timeout: "1000h" }] } }],
  ["tasks.run", { path: "" }],
];

export function fuzzFrames(seed: number, count: number): FuzzFrame[] {
  const random = seededRandom(seed);
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

  const randomText = (length: number) => {
    let text = "";
    for (let i = 0; i < length; i++) {
      const roll = random();
      text +=
        roll < 0.7
          ? String.fromCharCode(32 + int(95))
          : roll < 0.9
            ? String.fromCharCode(int(0x3000))
            : pick(['"', "\\", "{", "}", "[", "]", ",", ":", "\n", "\u2028"]);
    }
    return text;
  };

  const randomValue = (depth = 0): unknown => {
    const roll = int(depth > 3 ? 7 : 10);
    switch (roll) {
      case 0:
        return null;
      case 1:
        return random() < 0.5;
      case 2:
        return pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 2 ** 31, 16 * 1024 * 1024 + 1]);
      case 3:
        return int(1000);
      case 4:
        return randomText(int(40));
      case 5:
        return pick(["", "auto", "PAUSE", "cancel", "a".repeat(300), "../..", "\ud800"]);
      case 6:
        return pick(["20260101-000000-abcdef", "exec-1", "no-such-run", "0"]);
      case 7:
        return Array.from({ length: int(5) }, () => randomValue(depth + 1));
      default: {
        const object: Record<string, unknown> = {};
        for (let i = int(5); i > 0; i--) {
          const key = pick([
            "execution_id",
            "run_id",
            "type",
            "max_output_bytes",
            "after_seq",
            "limit",
            "offset",
            "status",
            "since",
            "kind",
            "subscribe",
            "__proto__",
            "constructor",
            randomText(int(8)),
          ]);
          object[key] = randomValue(depth + 1);
        }
        return object;
      }
    }
  };

  const randomId = (): unknown =>
    pick([int(1_000_000), `s${int(1000)}`, null, 1.5, -0, 1e308, true, {}, [], "", undefined]);

  /** One parsed message: mostly requests, some broken envelopes, some notifications. */
  const message = (harmlessOnly = false): unknown => {
    // Corrupting a refused `execute` can make it valid (`"timeout":-1` → `"timeout":41`), so
    // frames that get corrupted are built from harmless methods only.
    const roll = harmlessOnly ? 6 + int(6) : int(12);
    if (roll === 0) return randomValue();
    const envelope: Record<string, unknown> = {
      jsonrpc: roll === 1 ? pick(["1.0", 2, null, "2.0 "]) : "2.0",
    };
    if (roll === 2) {
      envelope.method = pick([null, 1, "", ["execute"], { name: "x" }]);
    } else if (roll <= 4) {
      const [method, params] = pick(REFUSED_START_PARAMS);
      envelope.method = method;
      envelope.params = params;
    } else if (roll === 5) {
      envelope.method = pick(ODD_METHODS);
      envelope.params = randomValue();
    } else {
      envelope.method = pick(HARMLESS_METHODS);
      envelope.params = roll === 6 ? randomValue() : (randomValue(2) as object);
    }
    const id = randomId();
    // A third of them are notifications (no id at all): they get no reply.
    if (id !== undefined && random() < 0.66) envelope.id = id;
    return envelope;
  };

  const frame = (): FuzzFrame => {
    const roll = random();
    if (roll < 0.35) return { data: JSON.stringify(message()) };
    if (roll < 0.57) {
      // A batch: empty, small, full, or past the limit; sometimes nested.
      const size = pick([0, 1, 2, int(10), int(100), 100, 101, 100 + int(200)]);
      const items = Array.from({ length: size }, () => (random() < 0.05 ? [message()] : message()));
      return { data: JSON.stringify(items) };
    }
    if (roll < 0.67) {
      // Truncated or corrupted JSON.
      const text = JSON.stringify(message(true));
      const cut = int(text.length);
      return {
        data:
          random() < 0.5
            ? text.slice(0, cut)
            : `${text.slice(0, cut)}${randomText(1 + int(4))}${text.slice(cut + 1)}`,
      };
    }
    if (roll < 0.77) return { data: randomText(int(300)) };
    if (roll < 0.79) {
      const depth = 100 + int(5000);
      return random() < 0.5
        ? { data: `${"[".repeat(depth)}${"]".repeat(depth)}` }
        : { data: `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` };
    }
    if (roll < 0.791) {
      // An argument past what a process can be given (128 KiB): refused, never spawned.
      return {
        data: JSON.stringify({
          jsonrpc: "2.0",
          id: int(1000),
          method: "execute",
          params: { command: `echo ${"x".repeat(130_000)}` },
        }),
      };
    }
    if (roll < 0.85) {
      return {
        data: pick([
          "",
          " ",
          "null",
          "1",
          '"x"',
          "[]",
          "{}",
          "[[]]",
          "[1,2,3]",
          "[null]",
          "[{}]",
          '{"jsonrpc":"2.0"}',
          '{"jsonrpc":"2.0","method":"pong"}',
          '{"jsonrpc":"2.0","id":1,"method":"pong","params":null}',
          '{"__proto__":{"jsonrpc":"2.0","method":"server.status"},"id":2}',
          '{"jsonrpc":"2.0","id":1e999,"method":"server.status"}',
          '{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"server.status"}',
          '{"jsonrpc":"2.0","id":"\\ud800","method":"\\ud800"}',
          '{"jsonrpc":"2.0","id":3,"method":"history.get","params":{"execution_id":"x","max_output_bytes":1e300}}',
        ]),
      };
    }
    if (roll < 0.9) {
      const bytes = Buffer.alloc(int(512));
      for (let i = 0; i < bytes.length; i++) bytes[i] = int(256);
      return { data: bytes, binary: true };
    }
    if (roll < 0.999) {
      // A long string somewhere in a request; now and then a frame near the 1 MiB limit.
      const padChars = roll < 0.998 ? 1000 + int(20_000) : 100_000 + int(900_000);
      return { data: JSON.stringify({ ...Object(message()), pad: "x".repeat(padChars) }) };
    }
    if (random() < 0.5) {
      return { data: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), closes: 1007 };
    }
    return { data: `[${"1,".repeat(600_000)}1]`, closes: 1009 };
  };

  /** Frames under the 1 MiB limit unless they are meant to close the connection. */
  const fitting = (): FuzzFrame => {
    for (;;) {
      const next = frame();
      const bytes = typeof next.data === "string" ? Buffer.byteLength(next.data) : next.data.length;
      if (next.closes !== undefined || bytes < MAX_FRAME_BYTES) return next;
    }
  };
  return Array.from({ length: count }, fitting);
}
