/**
 * A reader that goes away (`cc-executor run … | head -1`): writing to the closed pipe fails with
 * EPIPE, which Node reports as an `error` event on process.stdout — unhandled, a stack trace.
 * Commands end quietly instead, with the code a shell shows for a command killed by SIGPIPE
 * (128 + 13), after whatever the current command must undo first (`run` cancels its execution).
 */

export const CLOSED_PIPE_EXIT_CODE = 141;

let closed = false;
let onClose: () => void = () => process.exit(CLOSED_PIPE_EXIT_CODE);

/** Installs the listeners on stdout and stderr; called once by main. */
export function watchForClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      if (closed) return;
      closed = true;
      onClose();
    });
  }
}

/** True once stdout or stderr lost its reader: write nothing more. */
export function pipeClosed(): boolean {
  return closed;
}

/**
 * Runs `handler` instead of exiting at once when a pipe closes (the command then ends by itself
 * and should exit CLOSED_PIPE_EXIT_CODE). Returns the undo.
 */
export function whenPipeCloses(handler: () => void): () => void {
  const previous = onClose;
  onClose = handler;
  return () => {
    onClose = previous;
  };
}
