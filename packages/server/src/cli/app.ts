import type { ApplicationDto } from "@gatehouse/protocol";
import type { Command } from "commander";
import { NO_REQUEST } from "../services/events/scope.js";
import type { Runner } from "./pool.js";
import { collect, details, emit, type OutputOptions, resolvePool, table, withContext } from "./shared.js";

type PoolOpt = OutputOptions & { pool?: string };

function summary(a: ApplicationDto) {
  return {
    appId: a.appId,
    appName: a.appName,
    appIdentifier: a.appIdentifier,
    appType: a.appType,
    tokenEndpointAuthMethod: a.oidcConfig.token_endpoint_auth_method,
    redirectUris: a.redirectUris.join(" "),
  };
}

/** gatehouse app create|list|show|secret */
export function registerAppCommands(program: Command, run: Runner): void {
  const app = program.command("app").description("Applications of a user pool");
  app
    .command("create")
    .description("Create an application")
    .requiredOption("--name <name>", "application name")
    .option("--identifier <identifier>", "unique within the pool (default: from the name)")
    .option("--type <type>", "web | spa | native | api …", "web")
    .option("--redirect-uri <uri>", "allowed redirect URI (repeatable)", collect)
    .option("--logout-redirect-uri <uri>", "allowed post-logout redirect URI (repeatable)", collect)
    .option("--auth-method <method>", "client_secret_post | client_secret_basic | none")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action(
      (
        opts: PoolOpt & {
          name: string;
          identifier?: string;
          type: string;
          redirectUri?: string[];
          logoutRedirectUri?: string[];
          authMethod?: string;
        },
      ) =>
        run((config) =>
          withContext(config, async (ctx) => {
            const created = await ctx.admin.apps.create(
              await resolvePool(ctx, opts.pool),
              {
                appName: opts.name,
                appIdentifier: opts.identifier,
                appType: opts.type as ApplicationDto["appType"],
                redirectUris: opts.redirectUri,
                logoutRedirectUris: opts.logoutRedirectUri,
                ...(opts.authMethod
                  ? { oidcConfig: { token_endpoint_auth_method: opts.authMethod as "none" } }
                  : {}),
              },
              NO_REQUEST,
            );
            const secret = await ctx.admin.apps.secret(created.userPoolId, created.appId);
            emit(opts, { ...created, appSecret: secret }, () =>
              details({ ...summary(created), appSecret: secret }),
            );
          }),
        ),
    );
  app
    .command("list")
    .description("List applications")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const { list } = await ctx.admin.apps.list(await resolvePool(ctx, opts.pool), { all: true });
          emit(opts, list, () =>
            table(list.map(summary), [
              "appId",
              "appName",
              "appIdentifier",
              "appType",
              "tokenEndpointAuthMethod",
            ]),
          );
        }),
      ),
    );
  app
    .command("show <appId>")
    .description("Show an application")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((appId: string, opts: PoolOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const a = await ctx.admin.apps.get(await resolvePool(ctx, opts.pool), appId);
          emit(opts, a, () =>
            details({
              ...summary(a),
              logoutRedirectUris: a.logoutRedirectUris.join(" "),
              accessTokenExpiresIn: a.oidcConfig.access_token_expire,
              idTokenExpiresIn: a.oidcConfig.id_token_expire,
              refreshTokenExpiresIn: a.oidcConfig.refresh_token_expire,
              loginMethods: a.loginConfig.enabledBasicLoginMethods.join(" "),
              registerMethods: a.registerConfig.enabledBasicRegisterMethods.join(" "),
              userPoolId: a.userPoolId,
            }),
          );
        }),
      ),
    );
  app
    .command("secret <appId>")
    .description("Print an application's secret (--refresh replaces it)")
    .option("--refresh", "generate a new secret; the old one stops working")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((appId: string, opts: PoolOpt & { refresh?: boolean }) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const poolId = await resolvePool(ctx, opts.pool);
          const apps = ctx.admin.apps;
          const secret = opts.refresh
            ? await apps.refreshSecret(poolId, appId, NO_REQUEST)
            : await apps.secret(poolId, appId);
          emit(opts, { appId, secret }, () => secret);
        }),
      ),
    );
}
