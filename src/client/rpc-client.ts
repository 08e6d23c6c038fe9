/**
 * JSON-RPC over a reconnecting WebSocket. Requests get ids and promises; notifications go to
 * handlers by method. When the socket drops, pending requests fail with ConnectionLostError, the
 * client reconnects with exponential backoff, and `onReconnect` listeners re-attach what they
 * were following (the executions do that with `subscribe` from their last seq). Requests are
 * typed by the method contract (src/protocol/method-map.ts) and wait at most `requestTimeoutMs`.
 */
import { backoffMs } from "../protocol/backoff.js";
import { ErrorCode } from "../protocol/errors.js";
import type { MethodName, ParamsOf, ResultOf } from "../protocol/method-map.js";
import { connectFailure, errorDetail } from "./connect-failure.js";
import {
  ClientClosedError,
  ConnectionLostError,
  HandshakeRefusedError,
  RemoteError,
  RequestTimeoutError,
} from "./errors.js";
import { SOCKET_OPEN, type SocketFactory, type SocketLike } from "./socket.js";

export interface ReconnectOptions {
  /** Give up after this long without a connection (default 60 s). */
  giveUpAfterMs?: number;
  /** The wait before the first attempt (default 100 ms); it doubles after each failed one … */
  initialDelayMs?: number;
  /** … up to this (default 5 s). No jitter (src/protocol/backoff.ts). */
  maxDelayMs?: number;
}

/**
 * How long a request waits for its reply unless told otherwise. The server answers at once —
 * what takes long (an execution, a task list) comes later as notifications — so 30 s of silence
 * means a server or connection in trouble, not a slow answer.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The longest delay setTimeout keeps; longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RequestOptions<Result = unknown> {
  /** Aborting rejects the request at once with the signal's reason; a later reply is ignored. */
  signal?: AbortSignal;
  /**
   * Rejects with RequestTimeoutError when no reply came within this many ms (default: the
   * client's `requestTimeoutMs`, 30 s). `Infinity`: wait as long as the connection lasts.
   */
  timeoutMs?: number;
  /**
   * Runs synchronously when the success reply arrives, before any later frame is handled — a
   * promise continuation would run only after the notifications that arrived in the same read
   * (e.g. the replay that follows a `subscribe` reply).
   */
  onReply?: (result: Result) => void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

type NotificationHandler = (params: Record<string, unknown>) => void;

export class RpcClient {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly disconnectListeners = new Set<() => void>();
  private readonly closeListeners = new Set<(error: Error) => void>();
  private closedError: Error | null = null;
  private waitingForOpen: Array<{ resolve(): void; reject(error: Error): void }> = [];
  sessionId: string | null = null;

  constructor(
    private readonly url: string,
    private readonly createSocket: SocketFactory,
    private readonly reconnect: Required<ReconnectOptions> | null,
    /** One attempt to open may take this long; a peer that accepts TCP but never answers is dropped. */
    private readonly connectTimeoutMs = 10_000,
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** Opens the first connection; rejects if it cannot be made. */
  async open(): Promise<void> {
    await this.connectOnce();
  }

  /** Why the client is closed for good (closed by the user, or reconnecting gave up); else null. */
  get closedFor(): Error | null {
    return this.closedError;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === SOCKET_OPEN;
  }

  /** Sends a request of the method contract; resolves with its result, rejects with RemoteError. */
  request<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options?: RequestOptions<ResultOf<M>>,
  ): Promise<ResultOf<M>> {
    return this.send(method, params, options);
  }

  /** Any method name, its result unchecked: for names outside the contract. */
  requestRaw(method: string, params?: unknown, options?: RequestOptions): Promise<unknown> {
    return this.send(method, params, options);
  }

  private send<Result>(
    method: string,
    params: unknown,
    options: RequestOptions<Result> = {},
  ): Promise<Result> {
    const { signal, timeoutMs = this.requestTimeoutMs, onReply } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.closedError) return Promise.reject(this.closedError);
    const socket = this.socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) {
      return Promise.reject(new ConnectionLostError(`not connected (calling ${method})`));
    }
    const id = this.nextId++;
    return new Promise<Result>((resolve, reject) => {
      // However the request ends, it is forgotten: a reply that comes after is ignored.
      const forget = () => {
        this.pending.delete(id);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        forget();
        reject(signal?.reason);
      };
      const timer =
        timeoutMs <= MAX_TIMER_MS
          ? setTimeout(() => {
              forget();
              reject(new RequestTimeoutError(method, timeoutMs));
            }, timeoutMs)
          : undefined;
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result) => {
          forget();
          onReply?.(result as Result);
          resolve(result as Result);
        },
        reject: (error) => {
          forget();
          reject(error);
        },
      });
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params: params ?? {} }));
    });
  }

  /** Resolves once a connection is open (at once if it is). */
  whenOpen(): Promise<void> {
    if (this.closedError) return Promise.reject(this.closedError);
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.waitingForOpen.push({ resolve, reject }));
  }

  on(method: string, handler: NotificationHandler): () => void {
    let set = this.handlers.get(method);
    if (!set) {
      set = new Set();
      this.handlers.set(method, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Called when an open connection drops and reconnecting begins. */
  onDisconnect(listener: () => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Called once when the client is closed for good (by the user, or reconnecting gave up). */
  onClose(listener: (error: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.shutDown(new ClientClosedError("client closed"));
  }

  private connectOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      let opened = false;
      let detail: string | null = null;
      const socket = this.createSocket(this.url);
      this.socket = socket;
      const openTimer = setTimeout(() => {
        detail = `no WebSocket handshake within ${this.connectTimeoutMs} ms`;
        socket.close();
      }, this.connectTimeoutMs);
      socket.addEventListener("open", () => {
        opened = true;
        clearTimeout(openTimer);
        resolve();
        for (const waiter of this.waitingForOpen.splice(0)) waiter.resolve();
      });
      socket.addEventListener("message", (event) => this.receive(event.data));
      socket.addEventListener("error", (event) => {
        // Keep the first cause: a timeout's close() adds a generic "closed before open" error.
        detail ??= errorDetail(event);
      });
      socket.addEventListener("close", (event) => {
        clearTimeout(openTimer);
        if (this.socket === socket) this.socket = null;
        this.failPending(
          new ConnectionLostError(`connection closed (${event.code}) ${event.reason}`.trim()),
        );
        if (!opened) {
          reject(connectFailure(this.url, detail, event.code));
          return;
        }
        if (this.closedError) return;
        if (this.reconnect) for (const listener of this.disconnectListeners) listener();
        void this.reconnectLoop();
      });
    });
  }

  private async reconnectLoop(): Promise<void> {
    if (!this.reconnect) {
      this.shutDown(new ConnectionLostError(`connection to ${this.url} lost`));
      return;
    }
    const { giveUpAfterMs, initialDelayMs, maxDelayMs } = this.reconnect;
    const deadline = Date.now() + giveUpAfterMs;
    let attempt = 0;
    let lastFailure: Error | null = null;
    while (!this.closedError && Date.now() < deadline) {
      attempt++;
      const delayMs = backoffMs({ attempt, baseMs: initialDelayMs, maxMs: maxDelayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (this.closedError) return;
      try {
        await this.connectOnce();
        for (const listener of this.reconnectListeners) listener();
        return;
      } catch (error) {
        lastFailure = error as Error;
        // A refused token or Host will be refused again: retrying only delays the error.
        if (error instanceof HandshakeRefusedError) break;
      }
    }
    if (this.closedError) return;
    if (lastFailure instanceof HandshakeRefusedError) {
      this.shutDown(lastFailure);
      return;
    }
    this.shutDown(
      new ConnectionLostError(
        `connection lost; no server at ${this.url} for ${giveUpAfterMs} ms` +
          (lastFailure ? ` (last attempt: ${lastFailure.message})` : ""),
      ),
    );
  }

  private receive(data: unknown): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(typeof data === "string" ? data : String(data));
    } catch {
      return;
    }
    if (Array.isArray(message)) {
      for (const item of message) this.receiveOne(item as Record<string, unknown>);
      return;
    }
    this.receiveOne(message);
  }

  private receiveOne(message: Record<string, unknown>): void {
    if (typeof message.method === "string") {
      const params = (message.params ?? {}) as Record<string, unknown>;
      if (message.method === "connected") this.sessionId = String(params.session_id ?? "");
      for (const handler of this.handlers.get(message.method) ?? []) handler(params);
      return;
    }
    const id = message.id;
    if (typeof id !== "number") {
      const error = message.error as { code?: number; message?: string } | undefined;
      if (error?.code === ErrorCode.LimitReached)
        this.shutDown(new RemoteError(error.code, error.message ?? ""));
      return;
    }
    const pending = this.pending.get(id);
    if (!pending) return; // timed out, aborted, or not ours
    const error = message.error as { code: number; message: string; data?: unknown } | undefined;
    if (error) pending.reject(new RemoteError(error.code, error.message, error.data));
    else pending.resolve(message.result);
  }

  private failPending(error: Error): void {
    for (const request of [...this.pending.values()]) request.reject(error);
  }

  private shutDown(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    this.failPending(error);
    for (const waiter of this.waitingForOpen.splice(0)) waiter.reject(error);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= SOCKET_OPEN) socket.close(1000, "client closed");
    for (const listener of this.closeListeners) listener(error);
  }
}
