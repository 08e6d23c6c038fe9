/**
 * A raw JSON-RPC WebSocket for protocol tests: send requests, await replies by id, and wait for
 * notifications matching a predicate. No SDK in between, so tests see exactly what the server sent.
 */
import WebSocket from "ws";

export type Message = Record<string, unknown> & {
  id?: number | string | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
};

export interface RpcSocketOptions {
  token?: string | null;
  headers?: Record<string, string>;
  protocols?: string[];
}

export class RpcSocket {
  readonly messages: Message[] = [];
  closeCode: number | null = null;
  private nextId = 1;
  private waiters: Array<{ test: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
  private closeWaiters: Array<(code: number) => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const parsed = JSON.parse(data.toString()) as Message | Message[];
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.receive(message);
    });
    ws.on("close", (code) => {
      this.closeCode = code;
      for (const resolve of this.closeWaiters.splice(0)) resolve(code);
    });
    ws.on("error", () => {});
  }

  static open(url: string, options: RpcSocketOptions = {}): Promise<RpcSocket> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const ws = new WebSocket(url, options.protocols ?? [], { headers, perMessageDeflate: false });
    const socket = new RpcSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(socket));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  /** Sends a request and resolves with the whole reply (result or error). */
  call(method: string, params?: unknown): Promise<Message> {
    const id = this.nextId++;
    this.sendRaw(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return this.waitFor((m) => m.id === id && !("method" in m));
  }

  /** Sends a request and resolves with its result; throws on an error reply. */
  async result<T = Record<string, unknown>>(method: string, params?: unknown): Promise<T> {
    const reply = await this.call(method, params);
    if (reply.error)
      throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`);
    return reply.result as T;
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** Resolves with the first message (already received or future) matching `test`. */
  waitFor(test: (m: Message) => boolean): Promise<Message> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  notification(method: string, executionId?: string): Promise<Message> {
    return this.waitFor(
      (m) =>
        m.method === method &&
        (executionId === undefined || m.params?.execution_id === executionId),
    );
  }

  /** All notifications of one method (and execution) received so far. */
  all(method: string, executionId?: string): Message[] {
    return this.messages.filter(
      (m) =>
        m.method === method &&
        (executionId === undefined || m.params?.execution_id === executionId),
    );
  }

  /** Runs a command and waits for its process.completed; returns the completion params. */
  async run(
    command: string,
    params: Record<string, unknown> = {},
  ): Promise<{ id: string; completed: Record<string, unknown> }> {
    const started = await this.result<{ execution_id: string }>("execute", { command, ...params });
    const completed = await this.notification("process.completed", started.execution_id);
    return { id: started.execution_id, completed: completed.params as Record<string, unknown> };
  }

  /** Concatenated output of one stream of an execution, in seq order. */
  output(executionId: string, stream: "stdout" | "stderr" = "stdout"): string {
    return this.all("process.output", executionId)
      .filter((m) => m.params?.type === stream)
      .map((m) => String(m.params?.data))
      .join("");
  }

  whenClosed(): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  close(): void {
    this.ws.close();
  }

  private receive(message: Message): void {
    this.messages.push(message);
    for (const waiter of [...this.waiters]) {
      if (!waiter.test(message)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  }
}
