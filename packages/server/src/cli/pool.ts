import type { Command } from "commander";
import type { Config } from "../config.js";
import { details, emit, type OutputOptions, table, withContext } from "./shared.js";

export type Runner = (fn: (config: Config) => Promise<void>) => Promise<void>;

/** gatehouse pool create|list */
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
