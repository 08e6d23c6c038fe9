/**
 * The MCP server's connection to the cc-executor server, made on first use and made again when
 * it was lost for good (the client SDK reconnects by itself for a minute; after that, or after a
 * server restart on another port, the next tool call connects afresh). How to connect — find the
 * recorded server, or start one detached — is the CLI's business and comes in as `connect`.
 */
import type { CcExecutorClient } from "../client/node.js";

export type ConnectExecutor = () => Promise<CcExecutorClient>;

export class ExecutorLink {
  private pending: Promise<CcExecutorClient> | null = null;
  private current: CcExecutorClient | null = null;

  constructor(private readonly connect: ConnectExecutor) {}

  async client(): Promise<CcExecutorClient> {
    if (this.current !== null && this.current.rpc.closedFor === null) return this.current;
    this.current = null;
    if (this.pending === null) {
      this.pending = this.connect().then(
        (client) => {
          this.current = client;
          this.pending = null;
          return client;
        },
        (error: unknown) => {
          this.pending = null;
          throw error;
        },
      );
    }
    return this.pending;
  }

  close(): void {
    this.current?.close();
    this.current = null;
  }
}
