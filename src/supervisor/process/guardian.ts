/**
 * The guardian makes "no survivors, even when the server is SIGKILLed" hold (DESIGN §5).
 *
 * One small `sh` process per server, in its own session, reads `+pgid` / `-pgid` lines on its
 * stdin. When the server dies by any means its end of the pipe closes, `read` sees EOF, and the
 * guardian SIGKILLs every group still registered. One process for the whole server costs
 * nothing per execution but a 10-byte pipe write, where a wrapper per execution would add an
 * exec to every command's start-up.
 */
import { type ChildProcess, spawn } from "node:child_process";

// No "--" before the negative pgid: dash (/bin/sh on Debian/Ubuntu) rejects it ("Illegal number"),
// which silently left every group alive. dash and bash both read "-KILL -<pgid>" as a group.
const GUARDIAN_SCRIPT = `
trap '' INT TERM HUP QUIT PIPE
live=' '
while IFS= read -r line; do
  case $line in
    +*) live="$live\${line#+} " ;;
    -*) p=\${line#-}
        case $live in *" $p "*) live="\${live%%" $p "*} \${live#*" $p "}" ;; esac ;;
  esac
done
for p in $live; do kill -KILL "-$p" 2>/dev/null; done
`;

export class Guardian {
  private child: ChildProcess | null = null;
  private readonly live = new Set<number>();
  private closed = false;

  start(): void {
    if (this.closed || this.child) return;
    const child = spawn("/bin/sh", ["-c", GUARDIAN_SCRIPT], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.on("error", () => {});
    child.stdin?.on("error", () => {});
    child.on("exit", () => {
      if (this.child !== child) return;
      this.child = null;
      // Someone killed the guardian: start a new one and tell it what is still running.
      if (!this.closed) this.start();
    });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    for (const pgid of this.live) this.write(`+${pgid}\n`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  watch(pgid: number): void {
    this.live.add(pgid);
    this.write(`+${pgid}\n`);
  }

  forget(pgid: number): void {
    if (!this.live.delete(pgid)) return;
    this.write(`-${pgid}\n`);
  }

  /** Ends the guardian; any group still registered is killed by it on the way out. */
  close(): void {
    this.closed = true;
    this.child?.stdin?.end();
    this.child = null;
  }

  private write(line: string): void {
    this.child?.stdin?.write(line);
  }
}
