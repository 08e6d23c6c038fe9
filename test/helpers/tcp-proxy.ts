/**
 * A tiny TCP proxy between a client and a server, so tests can drop connections without
 * stopping the server: destroy every open pair, swallow the next chunk in one direction (a
 * request or a reply lost in flight), or stop listening (the server is "gone for good").
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

type Direction = "toServer" | "toClient";

export class TcpProxy {
  /** Connections accepted so far (each reconnect adds one). */
  accepted = 0;
  /** Where accepted connections go; may be set after start (the server may need our port first). */
  targetPort = 0;
  targetHost = "127.0.0.1";
  /** While true, new connections are closed at once (the client keeps retrying). */
  refuseNew = false;
  private readonly pairs = new Set<[Socket, Socket]>();
  private swallowNext: Direction | null = null;
  private swallowed: (() => void) | null = null;
  private acceptWaiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort = 0): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("proxy has no port");
    const proxy = new TcpProxy(server, address.port);
    proxy.targetPort = targetPort;
    server.on("connection", (client) => proxy.accept(client));
    return proxy;
  }

  /** Destroys every open client/server pair: both ends see the connection die (no close frame). */
  dropAll(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /**
   * The next chunk travelling in `direction` is not forwarded; its pair is destroyed instead.
   * Resolves once that happened.
   */
  loseNext(direction: Direction): Promise<void> {
    this.swallowNext = direction;
    return new Promise((resolve) => {
      this.swallowed = resolve;
    });
  }

  /** Resolves when at least `count` connections have been accepted in total. */
  whenAccepted(count: number): Promise<void> {
    if (this.accepted >= count) return Promise.resolve();
    return new Promise((resolve) => this.acceptWaiters.push({ count, resolve }));
  }

  /** Stops listening and drops everything: new connections are refused from now on. */
  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.refuseNew) {
      client.destroy();
      return;
    }
    this.accepted++;
    for (const waiter of [...this.acceptWaiters]) {
      if (this.accepted < waiter.count) continue;
      this.acceptWaiters.splice(this.acceptWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const upstream = tcpConnect(this.targetPort, this.targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.pairs.delete(pair);
    };
    const relay = (from: Socket, to: Socket, direction: Direction) => {
      from.on("data", (chunk: Buffer) => {
        if (this.swallowNext === direction) {
          this.swallowNext = null;
          drop();
          this.swallowed?.();
          this.swallowed = null;
          return;
        }
        to.write(chunk);
      });
    };
    relay(client, upstream, "toServer");
    relay(upstream, client, "toClient");
    for (const socket of pair) {
      socket.on("error", drop);
      socket.on("close", drop);
    }
  }
}
