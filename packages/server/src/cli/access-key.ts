import type { Command } from "commander";
import type { Runner } from "./pool.js";
import { details, emit, type OutputOptions, resolvePool, table, withContext } from "./shared.js";

type PoolOpt = OutputOptions & { pool?: string };

/** gatehouse access-key create|list|delete */
export function registerAccessKeyCommands(program: Command, run: Runner): void {
  const keys = program
    .command("access-key")
    .description("Extra management access keys of a pool (the pool id/secret always work too)");
  keys
    .command("create")
    .description("Create an access key; prints its secret once")
    .option("--description <text>")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((opts: PoolOpt & { description?: string }) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const k = await ctx.admin.accessKeys.create(await resolvePool(ctx, opts.pool), opts.description);
          const out = { accessKeyId: k.id, accessKeySecret: k.secret, userPoolId: k.pool_id };
          emit(opts, out, () => details(out));
        }),
      ),
    );
  keys
    .command("list")
    .description("List access keys (secrets are not shown)")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const rows = (await ctx.admin.accessKeys.list(await resolvePool(ctx, opts.pool))).map((k) => ({
            accessKeyId: k.id,
            enabled: k.enabled === 1,
            description: k.description ?? "",
            createdAt: new Date(k.created_at).toISOString(),
          }));
          emit(opts, rows, () => table(rows, ["accessKeyId", "enabled", "description", "createdAt"]));
        }),
      ),
    );
  keys
    .command("delete <accessKeyId>")
    .description("Delete an access key; requests signed with it are refused at once")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((accessKeyId: string, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          await ctx.admin.accessKeys.remove(await resolvePool(ctx, opts.pool), accessKeyId);
          emit(opts, { deleted: accessKeyId }, () => `deleted ${accessKeyId}`);
        }),
      ),
    );
}
