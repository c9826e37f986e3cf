import type { PoolSettings } from "@gatehouse/protocol";
import type { FastifyRequest } from "fastify";
import type { Context } from "../context.js";
import { ApiError } from "../errors.js";
import { assertTokenBinding, type ScopeNeed } from "../services/tokens/binding.js";
import type { AuthenticatedUser } from "../services/tokens/tokens.js";
import { isForeignKeyViolation } from "../storage/db.js";
import { securedBy } from "./openapi-security.js";

declare module "fastify" {
  interface FastifyRequest {
    authUser?: AuthenticatedUser;
    /** The settings of the token's pool, read once per request by `requireUser`. */
    userPoolSettings?: PoolSettings;
  }
}

/**
 * The access token of a request: the official SDK sends it bare (`authorization: <jwt>`), other
 * clients as `Bearer <jwt>` (docs/wire-contract.md §1.2). `null` means another scheme was used.
 */
export function accessTokenFrom(header: string | string[] | undefined): string | undefined | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  const space = trimmed.indexOf(" ");
  if (space < 0) return trimmed;
  if (trimmed.slice(0, space).toLowerCase() !== "bearer") return null;
  const token = trimmed.slice(space + 1).trim();
  return token === "" ? undefined : token;
}

const REFUSAL = { expired: "TOKEN_EXPIRED", invalid: "TOKEN_INVALID", machine: "TOKEN_NOT_A_USER" } as const;

/**
 * preHandler for user-authenticated /api/v3 routes: missing → 401/2020, expired → 401/2206,
 * invalid or revoked → 401/2207, a client-credentials token (no user) → 403. Behind requireAppScope too, the token must belong to that pool.
 * `need` is the scope the call needs when the pool binds tokens (services/tokens/binding.ts).
 */
export function requireUser(ctx: Context, need: ScopeNeed) {
  return securedBy(
    async (request: FastifyRequest) => {
      const token = accessTokenFrom(request.headers.authorization);
      if (token === undefined) throw new ApiError("TOKEN_MISSING");
      if (token === null) throw new ApiError("TOKEN_INVALID");
      const check = await ctx.tokens.checkAccessToken(token);
      if (!check.ok) throw new ApiError(REFUSAL[check.reason]);
      if (request.appScope && request.appScope.pool.id !== check.user.poolId)
        throw new ApiError("TOKEN_INVALID");
      await assertAppOfTokenPool(ctx, request, check.user);
      const settings =
        request.appScope?.pool.id === check.user.poolId
          ? request.appScope.settings
          : await ctx.auth.poolSettings(check.user.poolId);
      assertTokenBinding(settings, check.user, namedAppId(request), need);
      request.authUser = check.user;
      request.userPoolSettings = settings;
    },
    { userToken: [] },
  );
}

/**
 * Routes that trust the token's pool (no requireAppScope) still refuse a token presented through
 * another pool's application: `x-authing-app-id` must name an application of the token's pool.
 * The usual case — the application the token was issued to — costs no lookup.
 */
function namedAppId(request: FastifyRequest): string | undefined {
  const header = request.headers["x-authing-app-id"];
  return Array.isArray(header) ? header[0] : header;
}

async function assertAppOfTokenPool(ctx: Context, request: FastifyRequest, user: AuthenticatedUser) {
  if (request.appScope) return;
  const appId = namedAppId(request);
  if (appId === undefined || appId === user.appId) return;
  if (!(await ctx.auth.isAppOfPool(appId, user.poolId))) throw new ApiError("TOKEN_INVALID");
}

/**
 * The token's user deleted after `requireUser` let the request in, so a write that refers to them
 * failed (docs/behaviour-and-errors.md §1.10): the request answers as its token now would,
 * 401/2207. Read only on that failure's path; while the user exists the failure stays unexpected.
 */
export function deletedUserRefusal(ctx: Context) {
  return async (err: unknown, request: FastifyRequest): Promise<ApiError | undefined> => {
    const user = request.authUser;
    if (!user || !isForeignKeyViolation(err)) return undefined;
    if (await ctx.repos.users.findUserById(user.poolId, user.userId)) return undefined;
    return new ApiError("TOKEN_INVALID");
  };
}

/** The signed-in user; only call behind `requireUser`. */
export function userOf(request: FastifyRequest): AuthenticatedUser {
  if (!request.authUser) throw new Error("user not resolved: route is missing requireUser");
  return request.authUser;
}
