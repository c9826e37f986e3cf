import type { Command } from "commander";
import { registerAccessKeyCommands } from "./access-key.js";
import { registerAppCommands } from "./app.js";
import { registerIdpCommands } from "./idp.js";
import { registerKeysCommands } from "./keys.js";
import { type Runner, registerPoolCommands } from "./pool.js";
import { registerSettingsCommands } from "./settings.js";
import { registerUserCommands } from "./user.js";
import { registerWebhookCommands } from "./webhook.js";

/** The admin commands: they open the configured database directly, no server needed. */
export function registerAdminCommands(program: Command, run: Runner): void {
  registerPoolCommands(program, run);
  registerAppCommands(program, run);
  registerUserCommands(program, run);
  registerSettingsCommands(program, run);
  registerAccessKeyCommands(program, run);
  registerKeysCommands(program, run);
  registerWebhookCommands(program, run);
  registerIdpCommands(program, run);
}
