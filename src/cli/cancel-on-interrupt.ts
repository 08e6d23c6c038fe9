/**
 * Ctrl-C (or SIGTERM) while a command follows a run: the first one cancels the run and lets the
 * command wait for its end; a second one quits at once (exit 130). Returns the undo.
 */
export function cancelOnInterrupt(cancel: () => Promise<unknown>, notice?: string): () => void {
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    if (notice) process.stderr.write(notice);
    void cancel().catch(() => {});
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
  };
}

/**
 * Ctrl-C (or SIGTERM) while watching something that is not ours (`tasks watch`): stop watching
 * at once (exit 130) and leave it running.
 */
export function stopWatchingOnInterrupt(beforeExit: () => void): () => void {
  const onInterrupt = () => {
    beforeExit();
    process.stderr.write("\ncc-executor: stopped watching; the run goes on\n");
    process.exit(130);
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
  };
}
