import type { Command } from "commander";
import type { Config } from "../config.js";
import { writeBootstrapFile } from "../services/admin/bootstrap.js";
import { NO_REQUEST } from "../services/events/scope.js";
import { CliError, details, emit, type OutputOptions, table, withContext } from "./shared.js";

export type Runner = (fn: (config: Config) => Promise<void>) => Promise<void>;

/** gatehouse pool create|list|rotate-secret */
export function registerPoolCommands(program: Command, run: Runner): void {
  const pool = program.command("pool").description("User pools (each has its own users, apps and keys)");
  pool
    .command("create")
    .description("Create a user pool with a default application; prints its management keys")
    .option("--name <name>", "display name", "User pool")
    .option("--json", "print JSON")
    .action((opts: OutputOptions & { name: string }) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const { pool: p, app } = await ctx.admin.pools.create(opts.name);
          const out = {
            userPoolId: p.id,
            userPoolSecret: p.secret,
            name: p.name,
            appId: app.id,
            appSecret: app.secret,
            appHost: config.publicUrl,
          };
          emit(opts, out, () => details(out));
        }),
      ),
    );
  pool
    .command("rotate-secret <userPoolId>")
    .description(
      "Replace the pool's own access key secret (userPoolSecret); prints the new one. The old secret, " +
        "and management tokens obtained with it, are refused at once",
    )
    .option("--json", "print JSON")
    .action((userPoolId: string, opts: OutputOptions) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const secret = await ctx.admin.pools.rotateSecret(userPoolId, NO_REQUEST);
          if (secret === undefined)
            throw new CliError(`no user pool ${userPoolId} (see: gatehouse pool list)`);
          // bootstrap.json holds the default pool's keys: keep it current.
          const boot = await ctx.admin.pools.ensureDefault();
          if (boot.userPoolId === userPoolId) writeBootstrapFile(config.dataDir, boot);
          const out = { userPoolId, userPoolSecret: secret };
          emit(opts, out, () => details(out));
        }),
      ),
    );
  pool
    .command("list")
    .description("List user pools")
    .option("--json", "print JSON")
    .action((opts: OutputOptions) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const rows = (await ctx.admin.pools.listWithCounts()).map((r) => ({
            userPoolId: r.pool.id,
            name: r.pool.name,
            users: r.users,
            applications: r.applications,
            createdAt: new Date(r.pool.created_at).toISOString(),
          }));
          emit(opts, rows, () => table(rows, ["userPoolId", "name", "users", "applications", "createdAt"]));
        }),
      ),
    );
}
