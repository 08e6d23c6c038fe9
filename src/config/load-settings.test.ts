import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSettings } from "./load-settings.js";

/**
 * The intervals of DESIGN §3/§4 and docs/configuration.md: `process.status` after 30 s of
 * silence (CC_EXECUTOR_STATUS_INTERVAL), `heartbeat` every 20 s (WEBSOCKET_HEARTBEAT_INTERVAL),
 * both given in seconds outside and kept in milliseconds inside.
 */
describe("loadSettings: status and heartbeat intervals", () => {
  let dir: string;
  // An empty cwd (no .env, no config file) and an empty home: only defaults and `env` count.
  const load = (env: NodeJS.ProcessEnv) =>
    loadSettings({ cwd: dir, env, overrides: { home: join(dir, "home") } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cce-settings-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("with an empty environment: status every 30 000 ms, heartbeat every 20 s", () => {
    const settings = load({});
    expect(settings.statusIntervalMs).toBe(30_000);
    expect(settings.heartbeatIntervalMs).toBe(20_000);
  });

  it("the environment sets them in seconds", () => {
    const settings = load({
      CC_EXECUTOR_STATUS_INTERVAL: "2.5",
      WEBSOCKET_HEARTBEAT_INTERVAL: "7",
    });
    expect(settings.statusIntervalMs).toBe(2500);
    expect(settings.heartbeatIntervalMs).toBe(7000);
  });

  it("the config file sets them in seconds too, and the environment wins over it", () => {
    writeFileSync(
      join(dir, "cc-executor.config.json"),
      JSON.stringify({ statusInterval: 45, heartbeatInterval: 3 }),
    );
    expect(load({})).toMatchObject({ statusIntervalMs: 45_000, heartbeatIntervalMs: 3000 });
    expect(load({ WEBSOCKET_HEARTBEAT_INTERVAL: "9" })).toMatchObject({
      statusIntervalMs: 45_000,
      heartbeatIntervalMs: 9000,
    });
  });
});

/** A bad setting names where it came from; a config file's unknown key is an error. */
describe("loadSettings: errors name their source", () => {
  let dir: string;
  const load = (env: NodeJS.ProcessEnv = {}) =>
    loadSettings({ cwd: dir, env, overrides: { home: join(dir, "home") } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cce-settings-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("a bad value in .env names the file and the variable", () => {
    writeFileSync(join(dir, ".env"), "CC_EXECUTOR_SHELL=fish\n");
    expect(() => load()).toThrow(`CC_EXECUTOR_SHELL in ${join(dir, ".env")}`);
  });

  it("a bad value in the environment names the variable", () => {
    expect(() => load({ CC_EXECUTOR_SHELL: "fish" })).toThrow(
      "CC_EXECUTOR_SHELL in the environment",
    );
  });

  it("a bad value in the config file names the file and the key", () => {
    const path = join(dir, "cc-executor.config.json");
    writeFileSync(path, JSON.stringify({ shell: "fish" }));
    expect(() => load()).toThrow(`"shell" in ${path}`);
  });

  it("an unknown key in the config file is an error, with the nearest known one", () => {
    const path = join(dir, "cc-executor.config.json");
    writeFileSync(path, JSON.stringify({ maxConcurent: 3 }));
    expect(() => load()).toThrow(
      `${path}: unknown key "maxConcurent" (did you mean "maxConcurrent"?)`,
    );
  });
});
