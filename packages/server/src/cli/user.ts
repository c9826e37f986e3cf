import type { UpdateUserRequest, UserDto, UserIdType, UserStatus } from "@gatehouse/protocol";
import type { Command } from "commander";
import { NO_REQUEST } from "../services/events/scope.js";
import { io } from "./io.js";
import type { Runner } from "./pool.js";
import { CliError, details, emit, type OutputOptions, resolvePool, table, withContext } from "./shared.js";
import { registerUserImportCommand } from "./user-import.js";

type PoolOpt = OutputOptions & { pool?: string };
type ByOpt = PoolOpt & { by: UserIdType };

const USER_COLUMNS = ["userId", "username", "email", "phone", "name", "status", "createdAt"];

function row(u: UserDto) {
  return { ...u, phone: u.phone ? `${u.phoneCountryCode ?? ""} ${u.phone}`.trim() : undefined };
}

interface FieldOpts {
  email?: string;
  phone?: string;
  phoneCountryCode?: string;
  username?: string;
  name?: string;
  nickname?: string;
  externalId?: string;
  password?: string;
  passwordHash?: string;
  status?: UserStatus;
}

function withFieldOptions(cmd: Command): Command {
  return cmd
    .option("--email <email>")
    .option("--phone <phone>")
    .option("--phone-country-code <code>", "e.g. +86 (default: the pool's)")
    .option("--username <username>")
    .option("--name <name>")
    .option("--nickname <nickname>")
    .option("--external-id <id>")
    .option("--password <password>", "plain text; stored as an argon2id hash")
    .option("--password-hash <hash>", "an existing bcrypt or argon2 hash, kept as-is")
    .option("--status <status>", "Activated | Suspended | Deactivated | Resigned | Archived");
}

function fields(o: FieldOpts) {
  const out: Record<string, unknown> = {};
  for (const k of [
    "email",
    "phone",
    "phoneCountryCode",
    "username",
    "name",
    "nickname",
    "externalId",
    "status",
  ] as const) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}

/** gatehouse user create|list|show|update|delete|unlock|import */
export function registerUserCommands(program: Command, run: Runner): void {
  const user = program.command("user").description("Users of a user pool");

  withFieldOptions(user.command("create").description("Create a user (give an email, phone or username)"))
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((opts: PoolOpt & FieldOpts) =>
      run((config) =>
        withContext(config, async (ctx) => {
          if (opts.password && opts.passwordHash)
            throw new CliError("give --password or --password-hash, not both");
          const poolId = await resolvePool(ctx, opts.pool);
          const u = await ctx.admin.users.create(
            poolId,
            NO_REQUEST,
            { ...fields(opts), password: opts.passwordHash ?? opts.password },
            { keepPassword: opts.passwordHash !== undefined },
          );
          emit(opts, u, () => details(row(u)));
        }),
      ),
    );

  user
    .command("list")
    .description("List users, newest first")
    .option("--keywords <text>", "substring of id, username, email, phone, name, nickname or externalId")
    .option("--status <status>")
    .option("--page <n>", "page number", "1")
    .option("--limit <n>", "users per page (≤ 50)", "20")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((opts: PoolOpt & { keywords?: string; status?: string; page: string; limit: string }) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const page = Number.parseInt(opts.page, 10);
          const limit = Number.parseInt(opts.limit, 10);
          if (!(page >= 1) || !(limit >= 1 && limit <= 50))
            throw new CliError("--page must be ≥ 1 and --limit 1 to 50");
          const result = await ctx.admin.users.list(await resolvePool(ctx, opts.pool), {
            keywords: opts.keywords,
            advancedFilter: opts.status ? [{ field: "status", operator: "EQUAL", value: opts.status }] : [],
            options: { pagination: { page, limit } },
          });
          emit(opts, result, () =>
            [
              table(result.list.map(row), USER_COLUMNS),
              `page ${page}: ${result.list.length} of ${result.totalCount} users`,
            ].join("\n"),
          );
        }),
      ),
    );

  user
    .command("show <userId>")
    .description("Show a user")
    .option("--by <userIdType>", "user_id | email | phone | username | external_id | identity", "user_id")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((userId: string, opts: ByOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const u = await ctx.admin.users.get(await resolvePool(ctx, opts.pool), {
            userId,
            userIdType: opts.by,
            withCustomData: true,
            withIdentities: true,
          });
          emit(opts, u, () => details(row(u)));
        }),
      ),
    );

  withFieldOptions(user.command("update <userId>").description("Change a user's fields"))
    .option("--by <userIdType>", "user_id | email | phone | username | external_id | identity", "user_id")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((userId: string, opts: ByOpt & FieldOpts) =>
      run((config) =>
        withContext(config, async (ctx) => {
          if (opts.passwordHash)
            throw new CliError("--password-hash is for create and import; use --password");
          const body = { ...fields(opts), userId, password: opts.password, options: { userIdType: opts.by } };
          const { user: u } = await ctx.admin.users.update(
            await resolvePool(ctx, opts.pool),
            body as UpdateUserRequest,
            NO_REQUEST,
          );
          emit(opts, u, () => details(row(u)));
        }),
      ),
    );

  user
    .command("delete <userId...>")
    .description("Delete users")
    .option("--by <userIdType>", "user_id | email | phone | username | external_id | identity", "user_id")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((userIds: string[], opts: ByOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const deleted = await ctx.admin.users.deleteBatch(
            await resolvePool(ctx, opts.pool),
            NO_REQUEST,
            userIds,
            opts.by,
          );
          emit(opts, { deleted }, () => `deleted ${deleted.length} of ${userIds.length} user(s)`);
          if (deleted.length < userIds.length) io.fail();
        }),
      ),
    );

  user
    .command("unlock <userId>")
    .description("Unlock an account locked after too many wrong passwords")
    .option("--by <userIdType>", "user_id | email | phone | username | external_id | identity", "user_id")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((userId: string, opts: ByOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const id = await ctx.admin.users.unlock(await resolvePool(ctx, opts.pool), userId, opts.by);
          emit(opts, { unlocked: id }, () => `unlocked ${id}`);
        }),
      ),
    );

  user
    .command("reset-mfa <userId>")
    .description("Remove every second factor of a user and lift the MFA lock (docs/mfa.md)")
    .option("--by <userIdType>", "user_id | email | phone | username | external_id | identity", "user_id")
    .option("--pool <userPoolId>", "user pool (default: the bootstrap pool)")
    .option("--json", "print JSON")
    .action((userId: string, opts: ByOpt) =>
      run((config) =>
        withContext(config, async (ctx) => {
          const removed = await ctx.mfa.resetUserFactors(
            await resolvePool(ctx, opts.pool),
            NO_REQUEST,
            userId,
            opts.by,
          );
          emit(opts, { removedFactors: removed }, () => `removed ${removed} factor(s)`);
        }),
      ),
    );

  registerUserImportCommand(user, run);
}
