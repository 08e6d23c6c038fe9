import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_FILE_NAME, CONFIG_TEMPLATE } from "./config-template.js";
import { loadSettings } from "./load-settings.js";

/**
 * The commented config `cc-executor init` writes: it loads (comments and all), it changes
 * nothing as written, and every value it shows is the true default (uncommented, the settings
 * are the same); the loader names line and column of a broken file.
 */
describe("the config template (JSON with comments)", () => {
  let dir: string;
  const home = () => join(dir, "home");
  const load = () => loadSettings({ cwd: dir, env: {}, overrides: { home: home() } });
  const writeConfig = (text: string) => writeFileSync(join(home(), CONFIG_FILE_NAME), text);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cce-template-"));
    mkdirSync(home());
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("loads as written, and every value it shows is the default", () => {
    const defaults = load();
    writeConfig(CONFIG_TEMPLATE);
    expect(load()).toEqual(defaults);
    const uncommented = CONFIG_TEMPLATE.replace(/^(\s*)\/\/ (".*)$/gm, "$1$2");
    expect(uncommented.match(/^\s*"\w+":/gm)?.length).toBe(14);
    writeConfig(uncommented);
    expect(load()).toEqual(defaults);
  });

  it("an uncommented line takes effect", () => {
    writeConfig(CONFIG_TEMPLATE.replace('// "port": 8003,', '"port": 9123,'));
    expect(load().port).toBe(9123);
  });

  it("a broken file is refused with its line and column", () => {
    writeConfig('{\n  // fine\n  "port": 80 03\n}\n');
    expect(load).toThrow(/cc-executor\.config\.json: not valid JSON \(\w+ at line 3, column \d+\)/);
  });
});
