/**
 * One client on `/ws/mcp` (or `/ws`): its session id, its subscriptions, heartbeats and
 * liveness, inbound dispatch and outbound frames. Closing it detaches its subscriptions; its
 * executions keep running unless started with `kill_on_disconnect`.
 */
import { randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import type { ExecutionHandle } from "../engine/execution-handle.js";
import { ErrorCode } from "../protocol/errors.js";
import { failureFrame, notificationFrame } from "../protocol/jsonrpc.js";
import { CAPABILITIES, VERSION } from "../protocol/version.js";
import type { MethodTable } from "./method-table.js";
import { Outbound } from "./outbound.js";
import type { AuthKind } from "./request-guard.js";
import { dispatchText, type ReplyChannel } from "./rpc-dispatch.js";
import type { ServerContext } from "./server-context.js";
import { Subscription } from "./subscription.js";

/** Beats a backed-up peer may go without a pong and without output draining to it. */
const BACKLOG_PATIENCE_BEATS = 6;
/** Received frames waiting to be handled past which the socket is read no further (~one frame). */
const INBOUND_PAUSE_BYTES = 64 * 1024;

export class RpcConnection {
  readonly sessionId = randomUUID();
  readonly outbound: Outbound;
  readonly connectedAt = new Date();
  executionCount = 0;
  private readonly subscriptions = new Map<string, Subscription>();
  private heartbeat: NodeJS.Timeout | null = null;
  private alive = true;
  private deliveredAtLastBeat = 0;
  private lastSignOfLifeMs = performance.now();
  private lastDeliveryMs = Number.NEGATIVE_INFINITY;
  private closed = false;
  /** Aborted when the socket closes: ends what was started with `kill_on_disconnect`. */
  private readonly gone = new AbortController();
  /** Requests are handled one at a time, in arrival order. */
  private inbound: Promise<void> = Promise.resolve();
  /** Bytes of frames received and not yet handled; past INBOUND_PAUSE_BYTES the socket is paused. */
  private inboundBytes = 0;
  private readonly replies: ReplyChannel;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: ServerContext,
    private readonly methods: MethodTable,
    readonly peer: string,
    /** How it proved itself at the handshake; a dashboard session's cookie may do less. */
    readonly auth: AuthKind,
  ) {
    this.outbound = new Outbound(socket, context.settings.clientHardCapBytes, () =>
      this.overflow(),
    );
    const outbound = this.outbound;
    this.replies = {
      send: (frame) => outbound.send(frame),
      backlogBytes: () => outbound.pendingBytes,
      hardCapBytes: context.settings.clientHardCapBytes,
      get open() {
        return outbound.open;
      },
    };
  }

  /** For starts that end with this connection (`kill_on_disconnect`), even in their hooks. */
  get closedSignal(): AbortSignal {
    return this.gone.signal;
  }

  start(): void {
    const { socket } = this;
    socket.on("message", (data, isBinary) => this.receive(data, isBinary));
    socket.on("pong", () => {
      this.alive = true;
      this.lastSignOfLifeMs = performance.now();
    });
    socket.on("close", () => this.onClose());
    socket.on("error", (error) => this.context.logger.debug({ err: error }, "socket error"));
    this.notify("connected", {
      session_id: this.sessionId,
      version: VERSION,
      capabilities: [...CAPABILITIES],
    });
    this.heartbeat = setInterval(() => this.beat(), this.context.settings.heartbeatIntervalMs);
  }

  notify(method: string, params: object): void {
    this.outbound.send(notificationFrame(method, params));
  }

  /** Attaches (or re-attaches) this connection to an execution's stream after `afterSeq`. */
  subscribe(execution: ExecutionHandle, afterSeq: number): void {
    this.subscriptions.get(execution.id)?.close();
    const subscription = new Subscription(
      execution,
      this.outbound,
      afterSeq,
      (done) => {
        if (this.subscriptions.get(execution.id) === done) this.subscriptions.delete(execution.id);
      },
      (error) => {
        // The client would miss output: drop the connection so it re-attaches from its last seq.
        this.context.logger.error({ err: error, execution_id: execution.id }, "delivery failed");
        this.socket.terminate();
      },
    );
    this.subscriptions.set(execution.id, subscription);
    subscription.open(afterSeq === 0);
  }

  unsubscribe(executionId: string): boolean {
    const subscription = this.subscriptions.get(executionId);
    if (!subscription) return false;
    subscription.close();
    this.subscriptions.delete(executionId);
    return true;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.outbound.send(
        failureFrame(null, {
          code: ErrorCode.InvalidRequest,
          message: "Invalid Request: binary frames are not accepted",
        }),
      );
      return;
    }
    // Frames wait here while earlier ones are handled (batches yield between items), as bytes
    // off the V8 heap: strings waiting that long would be promoted and grow the old generation.
    // A client sending faster than it is served is read no further until the queue drains.
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    this.inboundBytes += bytes.length;
    if (this.inboundBytes > INBOUND_PAUSE_BYTES && !this.socket.isPaused) this.socket.pause();
    this.inbound = this.inbound.then(() =>
      dispatchText(
        bytes,
        this.methods,
        { connection: this, server: this.context },
        this.replies,
        this.context.logger,
      )
        .catch((error) => this.context.logger.error({ err: error }, "dispatch failed"))
        .finally(() => {
          this.inboundBytes -= bytes.length;
          if (this.inboundBytes <= INBOUND_PAUSE_BYTES && this.socket.isPaused) {
            this.socket.resume();
          }
        }),
    );
  }

  private beat(): void {
    // A slow reader's pong waits behind all the output queued before our ping, and the kernel
    // takes more output from a backed-up socket only in bursts. So a peer with a backlog is
    // dropped only after several beats without a pong and without any output draining to it;
    // a peer without a backlog has nothing in the way of its pong, and one missed beat ends it.
    // Output delivered within the patience counts as a backlog even when none is left in user
    // space: it may still sit in the kernel's buffers, in front of the pong.
    const now = performance.now();
    const delivered = this.outbound.deliveredOutputBytes;
    if (delivered > this.deliveredAtLastBeat) {
      this.lastSignOfLifeMs = now;
      this.lastDeliveryMs = now;
    }
    this.deliveredAtLastBeat = delivered;
    const backlogPatienceMs = BACKLOG_PATIENCE_BEATS * this.context.settings.heartbeatIntervalMs;
    const backlogged =
      this.outbound.pendingBytes > 0 || now - this.lastDeliveryMs < backlogPatienceMs;
    const patienceMs = backlogged ? backlogPatienceMs : 0;
    if (!this.alive && now - this.lastSignOfLifeMs > patienceMs) {
      // terminate() drops the socket; a close frame would never reach a dead peer.
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
    this.notify("heartbeat", {
      timestamp: Date.now() / 1000,
      session_id: this.sessionId,
      status: "alive",
    });
  }

  private overflow(): void {
    this.context.logger.warn(
      { session_id: this.sessionId },
      "client too far behind; disconnecting",
    );
    this.socket.terminate();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.outbound.wake();
    for (const subscription of this.subscriptions.values()) subscription.close();
    this.subscriptions.clear();
    this.gone.abort(new Error("the client disconnected"));
    this.context.connections.delete(this);
    this.context.executionsFeed.delete(this);
    this.context.recorder.connectionClosed({
      sessionId: this.sessionId,
      executionCount: this.executionCount,
    });
    this.context.audit.record({ event: "disconnected", session_id: this.sessionId });
  }
}
