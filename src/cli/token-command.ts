/** `cc-executor token [--rotate]`: where the token is, or a new one (restart the server after). */
import type { Command } from "commander";
import { ensureHome } from "../config/home.js";
import { readOrCreateToken, rotateToken } from "../config/token.js";
import { settingsFromFlags } from "./settings-from-flags.js";

export function registerTokenCommand(program: Command): void {
  program
    .command("token")
    .description("print the access token (creating it if needed); --rotate makes a new one")
    .option("--rotate", "replace the token; running servers must be restarted to use it")
    .action((flags: { rotate?: boolean }) => {
      const paths = ensureHome(settingsFromFlags({}).home);
      const token = flags.rotate ? rotateToken(paths.token) : readOrCreateToken(paths.token).token;
      process.stdout.write(`${token}\n`);
      if (flags.rotate)
        process.stderr.write("token rotated; restart the server: cc-executor server restart\n");
    });
}
