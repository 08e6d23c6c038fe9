/**
 * An append-only file of lines, rotated by size (`name.1` … `name.N`, the oldest dropped), written
 * synchronously: a line is on disk when write() returns, even if the process is killed right after,
 * and close() has no write in flight to lose. Failures go to `onError`, never to the caller.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

export interface Rotation {
  /** The file is rotated once it reaches this size. */
  maxBytes: number;
  /** Rotated files kept beside the current one (at least 1). */
  keepFiles: number;
}

export interface RotatingFile {
  write(line: string): void;
  close(): void;
}

/** Opens (appends to) `path`, creating it 0600 in a 0700 directory. Throws if it cannot. */
export function openRotatingFile(
  path: string,
  rotation: Rotation,
  onError: (error: unknown) => void,
): RotatingFile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number | null = openSync(path, "a", 0o600);
  let sizeBytes = fstatSync(fd).size;
  // Renames first, while the old file stays open: if any step fails, lines still go somewhere.
  const rotate = (): void => {
    sizeBytes = 0; // after a failure, the next attempt comes another maxBytes later
    let shiftFailure: unknown = null;
    try {
      for (let n = rotation.keepFiles - 1; n >= 1; n--) {
        renameIfPresent(`${path}.${n}`, `${path}.${n + 1}`);
      }
    } catch (error) {
      shiftFailure = error; // bounding the current file matters more than keeping older ones
    }
    renameIfPresent(path, `${path}.1`);
    const next = openSync(path, "a", 0o600);
    closeSync(fd as number);
    fd = next;
    if (shiftFailure) throw shiftFailure;
  };
  return {
    write: (line) => {
      if (fd === null) return;
      try {
        if (sizeBytes >= rotation.maxBytes) rotate();
      } catch (error) {
        onError(error);
      }
      try {
        sizeBytes += writeSync(fd, line);
      } catch (error) {
        onError(error);
      }
    },
    close: () => {
      if (fd === null) return;
      closeSync(fd);
      fd = null;
    },
  };
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
