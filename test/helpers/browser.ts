/**
 * Debian's chromium driven by playwright-core, for the dashboard's tests (DESIGN §14). Without
 * /usr/bin/chromium the suite skips loudly, unless CC_EXECUTOR_REQUIRE_SERVICES=1 (CI, which
 * installs it in .ci/run) makes that a failure. Playwright's `launch` gives every run a fresh
 * temporary profile (its own --user-data-dir), removed when the browser closes.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { REQUIRE_SERVICES } from "./store-fixtures.js";

export const CHROMIUM_PATH = process.env.CC_EXECUTOR_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (REQUIRE_SERVICES)
    throw new Error(
      `${CHROMIUM_PATH} is missing (CC_EXECUTOR_REQUIRE_SERVICES=1): apt-get install chromium`,
    );
  console.warn(
    `\n!!! ${CHROMIUM_PATH} is missing: the dashboard's browser tests are SKIPPED (apt-get install chromium)\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright adds --headless (the new headless mode) itself.
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 30_000,
  });
}
