/**
 * Spool files outlive the in-memory record of their execution: history (`history.get`) reads
 * full output from them for as long as they exist. The janitor bounds them on disk: oldest
 * first past a total size, and past an age. At start it adopts the folders earlier runs left.
 */
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";

export interface JanitorOptions {
  root: string;
  totalCapBytes: number;
  /** 0 keeps spools regardless of age. */
  maxAgeMs: number;
}

interface Kept {
  dir: string;
  bytes: number;
  endedAtMs: number;
}

export class SpoolJanitor {
  private kept: Kept[] = [];
  private totalBytes = 0;
  private pruning: Promise<void> = Promise.resolve();

  constructor(private readonly options: JanitorOptions) {}

  /** Adopts the spool folders already on disk (from earlier runs), oldest first. */
  async start(): Promise<void> {
    const names = await readdir(this.options.root).catch(() => [] as string[]);
    const found = await Promise.all(
      names.map((name) => this.measure(join(this.options.root, name))),
    );
    for (const kept of found
      .filter((k): k is Kept => k !== null)
      .sort((a, b) => a.endedAtMs - b.endedAtMs)) {
      this.add(kept);
    }
    await this.prune();
  }

  /** A spool whose execution has ended and whose files are complete. */
  adopt(dir: string, bytes: number): Promise<void> {
    this.add({ dir, bytes, endedAtMs: Date.now() });
    return this.prune();
  }

  get usedBytes(): number {
    return this.totalBytes;
  }

  private add(kept: Kept): void {
    this.kept.push(kept);
    this.totalBytes += kept.bytes;
  }

  private prune(): Promise<void> {
    this.pruning = this.pruning.then(async () => {
      const oldestAllowedMs = this.options.maxAgeMs > 0 ? Date.now() - this.options.maxAgeMs : 0;
      while (this.kept.length > 0) {
        const oldest = this.kept[0] as Kept;
        if (this.totalBytes <= this.options.totalCapBytes && oldest.endedAtMs >= oldestAllowedMs)
          break;
        this.kept.shift();
        this.totalBytes -= oldest.bytes;
        await rm(oldest.dir, { recursive: true, force: true }).catch(() => {});
      }
    });
    return this.pruning;
  }

  private async measure(dir: string): Promise<Kept | null> {
    try {
      const info = await stat(dir);
      if (!info.isDirectory()) return null;
      const files = await readdir(dir);
      const sizes = await Promise.all(
        files.map((f) =>
          stat(join(dir, f)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      return { dir, bytes: sizes.reduce((a, b) => a + b, 0), endedAtMs: info.mtimeMs };
    } catch {
      return null;
    }
  }
}
