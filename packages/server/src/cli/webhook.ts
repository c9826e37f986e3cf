import type { Command } from "commander";
import type { Runner } from "./pool.js";
import { CliError, details, emit, type OutputOptions, resolvePool, table, withContext } from "./shared.js";

type PoolOpt = OutputOptions & { pool?: string };
const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** gatehouse webhook create|list|update|delete|logs|test (docs/events.md#webhooks) */
export function registerWebhookCommands(program: Command, run: Runner): void {
  const hooks = program.command("webhook").description("Webhooks of a pool: which events go to which URL");
  hooks
    .command("create <url>")
    .description("Create a webhook; prints its secret once")
    .requiredOption("--events <names>", "comma-separated event names (see: gatehouse webhook events)")
    .option("--name <name>", "a name for the webhook", "webhook")
    .option("--form", "send application/x-www-form-urlencoded instead of JSON")
    .option("--secret <secret>", "the signing secret (default: a random one)")
    .option("--disabled", "create it disabled")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action(
      (
        url: string,
        opts: PoolOpt & { events: string; name: string; form?: boolean; secret?: string; disabled?: boolean },
      ) =>
        run((config) =>
          withContext(config, async (ctx) => {
            const hook = await ctx.events.webhooks.create(await resolvePool(ctx, opts.pool), {
              name: opts.name,
              url,
              events: list(opts.events),
              contentType: opts.form ? "application/x-www-form-urlencoded" : "application/json",
              enabled: !opts.disabled,
              ...(opts.secret ? { secret: opts.secret } : {}),
            });
            emit(opts, hook, () =>
              details({
                webhookId: hook.webhookId,
                url: hook.url,
                events: hook.events.join(","),
                secret: hook.secret ?? "",
              }),
            );
          }),
        ),
    );
  hooks
    .command("list")
    .description("List webhooks (secrets are not shown)")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const page = await ctx.events.webhooks.list(await resolvePool(ctx, opts.pool), 1, 100);
          const rows = page.list.map((w) => ({
            webhookId: w.webhookId,
            name: w.name,
            url: w.url,
            enabled: w.enabled,
            events: w.events.join(","),
          }));
          emit(opts, rows, () => table(rows, ["webhookId", "name", "url", "enabled", "events"]));
        }),
      ),
    );
  hooks
    .command("update <webhookId>")
    .description("Change a webhook's url, events, or turn it on or off")
    .option("--url <url>")
    .option("--events <names>", "comma-separated event names")
    .option("--enable")
    .option("--disable")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action(
      (
        webhookId: string,
        opts: PoolOpt & { url?: string; events?: string; enable?: boolean; disable?: boolean },
      ) =>
        run((config) =>
          withContext(config, async (ctx) => {
            if (opts.enable && opts.disable) throw new CliError("--enable and --disable together");
            const hook = await ctx.events.webhooks.update(await resolvePool(ctx, opts.pool), {
              webhookId,
              ...(opts.url ? { url: opts.url } : {}),
              ...(opts.events ? { events: list(opts.events) } : {}),
              ...(opts.enable ? { enabled: true } : opts.disable ? { enabled: false } : {}),
            });
            emit(opts, hook, () =>
              details({
                webhookId: hook.webhookId,
                url: hook.url,
                enabled: String(hook.enabled),
                events: hook.events.join(","),
              }),
            );
          }),
        ),
    );
  hooks
    .command("delete <webhookId>")
    .description("Delete a webhook with its pending deliveries and logs")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((webhookId: string, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const n = await ctx.events.webhooks.remove(await resolvePool(ctx, opts.pool), [webhookId]);
          if (n === 0) throw new CliError(`no webhook ${webhookId}`);
          emit(opts, { deleted: webhookId }, () => `deleted ${webhookId}`);
        }),
      ),
    );
  hooks
    .command("logs <webhookId>")
    .description("The latest delivery attempts of a webhook")
    .option("--limit <n>", "how many", "20")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((webhookId: string, opts: PoolOpt & { limit: string }) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const page = await ctx.events.webhooks.logs(await resolvePool(ctx, opts.pool), {
            webhookId,
            limit: Math.min(100, Math.max(1, Number(opts.limit) || 20)),
          });
          const rows = page.list.map((l) => ({
            timestamp: l.timestamp,
            eventName: l.eventName,
            status: l.responseStatusCode,
            success: l.success,
            error: l.errorMessage ?? "",
          }));
          emit(opts, rows, () => table(rows, ["timestamp", "eventName", "status", "success", "error"]));
        }),
      ),
    );
  hooks
    .command("test <webhookId>")
    .description("Send the test event now and print what the receiver answered")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((webhookId: string, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const r = await ctx.events.webhooks.trigger(await resolvePool(ctx, opts.pool), { webhookId });
          emit(opts, r.response, () =>
            details({ success: String(r.response.success), status: String(r.response.statusCode ?? "") }),
          );
        }),
      ),
    );
  hooks
    .command("events")
    .description("The event names a webhook may subscribe to")
    .option("--json", "print JSON")
    .action((opts: OutputOptions) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const rows = ctx.events.webhooks
            .eventList()
            .events.map((e) => ({ event: e.value, category: e.category, description: e.nameEn }));
          emit(opts, rows, () => table(rows, ["event", "category", "description"]));
        }),
      ),
    );
}
