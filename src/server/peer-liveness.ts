/**
 * Liveness for a WebSocket without the RPC connection's bookkeeping (`/ws/claude`): a ping every
 * interval, and a peer that left a ping unanswered is terminated — its TCP socket dropped, since a
 * close frame would never reach a dead peer. A peer still reading a backlog of our frames gets
 * a few beats of patience (its pong waits behind that output), as in rpc-connection.ts.
 */
import type { WebSocket } from "ws";

/** Beats a backed-up peer may go without a pong while its backlog does not shrink. */
const BACKLOG_PATIENCE_BEATS = 6;

/** Starts pinging; the returned function stops (call it when the socket closes). */
export function watchLiveness(ws: WebSocket, intervalMs: number): () => void {
  let answered = true;
  let beatsWithoutSign = 0;
  let backlogAtLastBeat = 0;
  const onPong = (): void => {
    answered = true;
    beatsWithoutSign = 0;
  };
  ws.on("pong", onPong);
  const timer = setInterval(() => {
    const backlog = ws.bufferedAmount;
    if (backlog < backlogAtLastBeat) beatsWithoutSign = 0; // it reads: alive, just behind
    backlogAtLastBeat = backlog;
    if (!answered) {
      beatsWithoutSign++;
      const patience = backlog > 0 ? BACKLOG_PATIENCE_BEATS : 1;
      if (beatsWithoutSign >= patience) {
        ws.terminate();
        return;
      }
    }
    answered = false;
    ws.ping();
  }, intervalMs);
  return () => {
    clearInterval(timer);
    ws.off("pong", onPong);
  };
}
