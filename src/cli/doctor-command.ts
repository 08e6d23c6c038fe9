/** `cc-executor doctor`: is everything in place? Exit 1 when a check fails. */
import type { Command } from "commander";
import { type CheckLevel, runChecks } from "./doctor-checks.js";
import { settingsFromFlags } from "./settings-from-flags.js";

const MARK: Record<CheckLevel, string> = { ok: "✓", warn: "!", fail: "✗" };

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description(
      "check node, the home and token, the server or its port, the store and the Claude CLI",
    )
    .option("--json", "print the checks as JSON")
    .action(async (flags: { json?: boolean }) => {
      const checks = await runChecks(settingsFromFlags({}));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      } else {
        const width = Math.max(...checks.map((check) => check.name.length));
        for (const check of checks) {
          process.stdout.write(
            `${MARK[check.level]} ${check.name.padEnd(width)}  ${check.message}\n`,
          );
        }
      }
      if (checks.some((check) => check.level === "fail")) process.exitCode = 1;
    });
}
