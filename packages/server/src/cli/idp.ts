import type { ExtIdpConnDto } from "@gatehouse/protocol";
import type { Command } from "commander";
import type { Runner } from "./pool.js";
import {
  CliError,
  collect,
  details,
  emit,
  type OutputOptions,
  resolvePool,
  table,
  withContext,
} from "./shared.js";

type PoolOpt = OutputOptions & { pool?: string };
type ConnOpts = PoolOpt & {
  name?: string;
  field?: string[];
  mapping?: string[];
  clientSecretEnv?: string;
  loginOnly?: boolean;
  app?: string[];
};

/** `key=value` pairs; `--mapping email=mail` becomes `userMapping.email = "mail"`. */
function fieldsOf(opts: ConnOpts): Record<string, unknown> {
  const pairs = (values: string[] | undefined, what: string) =>
    Object.fromEntries(
      (values ?? []).map((v) => {
        const i = v.indexOf("=");
        if (i <= 0) throw new CliError(`${what} ${v}: expected key=value`);
        return [v.slice(0, i), v.slice(i + 1)];
      }),
    );
  const fields: Record<string, unknown> = pairs(opts.field, "--field");
  if (opts.mapping?.length) fields.userMapping = pairs(opts.mapping, "--mapping");
  if ("clientSecret" in fields)
    throw new CliError("give the client secret with --client-secret-env, not --field");
  if (opts.clientSecretEnv) {
    const secret = process.env[opts.clientSecretEnv];
    if (!secret) throw new CliError(`the environment variable ${opts.clientSecretEnv} is empty`);
    fields.clientSecret = secret;
  }
  return fields;
}

const connDetails = (c: ExtIdpConnDto) =>
  details({
    connId: c.id,
    identifier: c.identifier,
    type: c.type,
    displayName: c.displayName,
    apps: c.appIds.join(","),
    callbackUrl: c.callbackUrl,
  });

const pool = (cmd: Command) =>
  cmd.option("--pool <userPoolId>", "user pool (default: the bootstrap pool)").option("--json", "print JSON");

/** gatehouse idp create|list|show|delete and idp conn add|update|delete|enable|disable|associate|dissociate (docs/social-sign-in.md) */
export function registerIdpCommands(program: Command, run: Runner): void {
  const idp = program.command("idp").description("External identity providers and their connections");
  pool(
    idp.command("create <type> <name>").description("Create a provider (oidc, oauth2, github, google, …)"),
  ).action((type: string, name: string, opts: PoolOpt) =>
    run((config) =>
      withContext(config, async (ctx) => {
        const r = await ctx.identities.connections.create(await resolvePool(ctx, opts.pool), { type, name });
        emit(opts, r, () => details({ extIdpId: r.id, type: r.type, name: r.name }));
      }),
    ),
  );
  pool(idp.command("list").description("List providers")).action((opts: PoolOpt) =>
    run((config) =>
      withContext(config, async (ctx) => {
        const r = await ctx.identities.connections.list(await resolvePool(ctx, opts.pool));
        const rows = r.list.map((i) => ({ extIdpId: i.id, type: i.type, name: i.name }));
        emit(opts, rows, () => table(rows, ["extIdpId", "type", "name"]));
      }),
    ),
  );
  pool(
    idp.command("show <extIdpId>").description("A provider and its connections (secrets are not shown)"),
  ).action((id: string, opts: PoolOpt) =>
    run((config) =>
      withContext(config, async (ctx) => {
        const r = await ctx.identities.connections.get(await resolvePool(ctx, opts.pool), id);
        emit(opts, r, () =>
          [details({ extIdpId: r.id, type: r.type, name: r.name }), ...r.connections.map(connDetails)].join(
            "\n\n",
          ),
        );
      }),
    ),
  );
  pool(
    idp.command("delete <extIdpId>").description("Delete a provider, its connections and its identities"),
  ).action((id: string, opts: PoolOpt) =>
    run((config) =>
      withContext(config, async (ctx) => {
        await ctx.identities.connections.remove(await resolvePool(ctx, opts.pool), id);
        emit(opts, { deleted: id }, () => `deleted ${id}`);
      }),
    ),
  );

  const conn = idp.command("conn").description("Connections of a provider");
  const connOptions = (cmd: Command) =>
    pool(
      cmd
        .option(
          "--field <key=value>",
          "a setting: issuer, clientId, scopes, authorizationEndpoint, … (repeatable)",
          collect,
        )
        .option("--mapping <field=claim>", "profile field from a claim or userinfo key (repeatable)", collect)
        .option("--client-secret-env <VAR>", "read the client secret from this environment variable")
        .option("--login-only", "sign in existing users only, create none"),
    );
  connOptions(
    conn
      .command("add <extIdpId> <type> <identifier>")
      .description("Create a connection; prints the callback URL to register at the provider")
      .requiredOption("--name <displayName>", "the button's name on the sign-in page")
      .option("--app <appId>", "enable it for this application (repeatable)", collect),
  ).action((extIdpId: string, type: string, identifier: string, opts: ConnOpts) =>
    run((config) =>
      withContext(config, async (ctx) => {
        const poolId = await resolvePool(ctx, opts.pool);
        const c = ctx.identities.connections;
        const created = await c.createConn(poolId, {
          extIdpId,
          type,
          identifier,
          displayName: opts.name as string,
          fields: fieldsOf(opts),
          loginOnly: opts.loginOnly === true,
        });
        if (opts.app?.length)
          await c.changeState(poolId, {
            id: created.id,
            enabled: true,
            appId: opts.app[0] as string,
            appIds: opts.app,
          });
        const shown = (await c.get(poolId, extIdpId)).connections.find((x) => x.id === created.id) ?? created;
        emit(opts, shown, () => connDetails(shown));
      }),
    ),
  );
  connOptions(
    conn
      .command("update <connId>")
      .description("Change a connection: the settings given replace the stored ones")
      .option("--name <displayName>", "the button's name on the sign-in page"),
  ).action((id: string, opts: ConnOpts) =>
    run((config) =>
      withContext(config, async (ctx) => {
        const poolId = await resolvePool(ctx, opts.pool);
        const current = await ctx.repos.extIdps.findConn(poolId, id);
        if (!current) throw new CliError(`no connection ${id}`);
        const r = await ctx.identities.connections.updateConn(poolId, {
          id,
          displayName: opts.name ?? current.display_name,
          fields: fieldsOf(opts),
          ...(opts.loginOnly ? { loginOnly: true } : {}),
        });
        emit(opts, r, () => connDetails(r));
      }),
    ),
  );
  pool(conn.command("delete <connId>").description("Delete a connection")).action(
    (id: string, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          await ctx.identities.connections.removeConn(await resolvePool(ctx, opts.pool), id);
          emit(opts, { deleted: id }, () => `deleted ${id}`);
        }),
      ),
  );
  for (const [verb, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    pool(
      conn
        .command(`${verb} <connId>`)
        .description(
          `${verb === "enable" ? "Show" : "Hide"} the connection on these applications' sign-in pages`,
        )
        .requiredOption("--app <appId>", "the application (repeatable)", collect),
    ).action((id: string, opts: ConnOpts) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const apps = opts.app ?? [];
          await ctx.identities.connections.changeState(await resolvePool(ctx, opts.pool), {
            id,
            enabled,
            appId: apps[0] as string,
            appIds: apps,
          });
          emit(opts, { connId: id, enabled, appIds: apps }, () => `${verb}d ${id} for ${apps.join(",")}`);
        }),
      ),
    );
  }
  for (const [verb, association] of [
    ["associate", true],
    ["dissociate", false],
  ] as const) {
    pool(
      conn
        .command(`${verb} <connId>`)
        .description(
          association
            ? "Show the connection on every application of the pool"
            : "Show the connection only on the applications it is enabled for",
        ),
    ).action((id: string, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          await ctx.identities.connections.changeAssociation(
            await resolvePool(ctx, opts.pool),
            id,
            association,
          );
          emit(opts, { connId: id, association }, () => `${verb}d ${id}`);
        }),
      ),
    );
  }
}
