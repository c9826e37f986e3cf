import type {
  AuthorizeAppAccessRequest,
  PermissionStrategy,
  RevokeAppAccessRequest,
  UpdatePermissionStrategyRequest,
  UserAppDto,
  UserIdType,
} from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import type { ApplicationRow } from "../../storage/repos/applications.js";
import type { AppAccessRow } from "../../storage/repos/authz-apps.js";
import type { Repositories } from "../../storage/repos/index.js";
import { appSummary } from "../auth/login-history.js";
import type { EventOrigin } from "../events/scope.js";
import type { GrantsCache } from "./cache.js";
import type { AuthzDeps } from "./deps.js";
import { standingOf } from "./effective.js";
import { requireUser } from "./members.js";
import { resolveNamespace } from "./namespaces.js";
import { createAuthzWrite } from "./write.js";

type Item = { targetType: string; namespaceCode?: string; targetIdentifier: string[] };

const strategyOf = (s: string | undefined): PermissionStrategy =>
  s === "DENY_ALL" ? "DENY_ALL" : "ALLOW_ALL";

/**
 * Whether the rules that name a user (themselves, their groups, their active roles) let them use an
 * application (docs/authorization.md §Application access): a DENY wins, then an ALLOW, then the
 * application's strategy.
 */
export function mayUse(strategy: PermissionStrategy, rules: AppAccessRow[]): boolean {
  if (rules.some((r) => r.effect === "DENY")) return false;
  if (rules.some((r) => r.effect === "ALLOW")) return true;
  return strategy === "ALLOW_ALL";
}

/** What a sign-in asks of an application first (storage/repos/authz-apps.ts). */
export type AppRestriction = { strategy: string | undefined; denies: boolean };

/** Application access control: strategies, ALLOW/DENY rules, and what a user may use. */
export function createAppAccess(deps: AuthzDeps & { cache: GrantsCache<AppRestriction> }) {
  const { repos, clock, cache } = deps;
  const write = createAuthzWrite(deps);

  /**
   * The rows written refer to no other table: a foreign-key failure is the application deleted
   * since `requireApp` read it (docs/behaviour-and-errors.md §1.10). Nothing was kept.
   */
  function appGone(err: unknown): never {
    if (isForeignKeyViolation(err)) throw new ApiError("APP_NOT_FOUND");
    throw err;
  }

  async function requireApp(poolId: string, appId: string): Promise<ApplicationRow> {
    const app = await repos.applications.findApplicationById(appId);
    if (!app || app.pool_id !== poolId) throw new ApiError("APP_NOT_FOUND");
    return app;
  }

  /**
   * Targets by id; as GenAuth does, a user, role or group that does not exist is skipped. ORG
   * targets are not modelled.
   */
  async function targetsOf(poolId: string, item: Item): Promise<{ type: string; id: string }[]> {
    const out: { type: string; id: string }[] = [];
    if (item.targetType === "ORG") throw new ApiError("TARGET_TYPE_UNSUPPORTED");
    if (item.targetType === "USER") {
      const users = await repos.userAdmin.findUsersByIds(poolId, item.targetIdentifier);
      for (const u of users) out.push({ type: "USER", id: u.id });
    } else if (item.targetType === "GROUP") {
      for (const g of await repos.authz.findGroupsByCodes(poolId, item.targetIdentifier))
        out.push({ type: "GROUP", id: g.id });
    } else if (item.targetType === "ROLE") {
      const ns = await resolveNamespace(repos, poolId, item.namespaceCode);
      for (const r of await repos.authz.findRolesByCodes(ns.id, item.targetIdentifier))
        out.push({ type: "ROLE", id: r.id });
    }
    return out;
  }

  /** Every application of the pool with whether the user may use it. */
  async function appsOf(repos: Repositories, poolId: string, userId: string) {
    const now = clock.now();
    const [apps, strategies, standing] = await Promise.all([
      repos.applications.listApplicationsByPool(poolId),
      repos.authz.listAppStrategies(poolId),
      standingOf(repos, userId, now),
    ]);
    const rules = await repos.authz.appAccessOf(poolId, standing.subjects);
    const strategy = new Map(strategies.map((s) => [s.app_id, strategyOf(s.permission_strategy)]));
    return apps.map((app) => {
      const own = rules.filter((r) => r.app_id === app.id);
      const s = strategy.get(app.id) ?? "ALLOW_ALL";
      return { app, strategy: s, rules: own, allowed: mayUse(s, own) };
    });
  }

  const toUserAppDto = (app: ApplicationRow, strategy: PermissionStrategy): UserAppDto => {
    const { appId, appName, appLogo, appLoginUrl } = appSummary(app, app.id);
    return { appId, appName, appLogo, appLoginUrl, appDefaultLoginStrategy: strategy };
  };

  return {
    async getStrategy(poolId: string, appId: string) {
      await requireApp(poolId, appId);
      return { permissionStrategy: strategyOf(await repos.authz.findAppStrategy(appId)) };
    },
    async updateStrategy(
      poolId: string,
      req: UpdatePermissionStrategyRequest,
      origin: EventOrigin,
    ): Promise<void> {
      await requireApp(poolId, req.appId);
      await write(poolId, origin, "app-access", async (tx, emit) => {
        await tx.authz.setAppStrategy({
          app_id: req.appId,
          pool_id: poolId,
          permission_strategy: req.permissionStrategy,
          updated_at: clock.now(),
        });
        await emit("application:access-changed", {
          appId: req.appId,
          permissionStrategy: req.permissionStrategy,
        });
      }).catch(appGone);
    },
    /** ALLOW or DENY rules; a later rule for the same target replaces the effect. */
    async authorize(poolId: string, req: AuthorizeAppAccessRequest, origin: EventOrigin): Promise<void> {
      await requireApp(poolId, req.appId);
      const now = clock.now();
      const rows: AppAccessRow[] = [];
      for (const item of req.list) {
        for (const t of await targetsOf(poolId, item)) {
          rows.push({
            app_id: req.appId,
            pool_id: poolId,
            target_type: t.type,
            target_id: t.id,
            effect: item.effect,
            created_at: now,
          });
        }
      }
      await write(poolId, origin, "app-access", async (tx, emit) => {
        await tx.authz.upsertAppAccess(rows);
        await emit("permission:add", { appId: req.appId, list: req.list });
      }).catch(appGone);
    },
    async revoke(poolId: string, req: RevokeAppAccessRequest, origin: EventOrigin): Promise<void> {
      await requireApp(poolId, req.appId);
      const plan: { type: string; ids: string[] }[] = [];
      for (const item of req.list) {
        const targets = await targetsOf(poolId, item);
        plan.push({ type: item.targetType, ids: targets.map((t) => t.id) });
      }
      await write(poolId, origin, "app-access", async (tx, emit) => {
        for (const p of plan) await tx.authz.deleteAppAccess(req.appId, p.type, p.ids);
        await emit("permission:revoke", { appId: req.appId, list: req.list });
      });
    },
    /** `getUserAccessibleApps`: the applications the user may use. */
    async accessibleApps(poolId: string, userId: string, userIdType?: UserIdType): Promise<UserAppDto[]> {
      const user = await requireUser(repos, poolId, userId, userIdType);
      return (await appsOf(repos, poolId, user.id))
        .filter((a) => a.allowed)
        .map((a) => toUserAppDto(a.app, a.strategy));
    },
    /** `getUserAuthorizedApps`: the applications a rule explicitly allows the user (and none denies). */
    async authorizedApps(poolId: string, userId: string, userIdType?: UserIdType): Promise<UserAppDto[]> {
      const user = await requireUser(repos, poolId, userId, userIdType);
      return (await appsOf(repos, poolId, user.id))
        .filter((a) => a.allowed && a.rules.some((r) => r.effect === "ALLOW"))
        .map((a) => toUserAppDto(a.app, a.strategy));
    },
    /** `get-my-accessible-apps`: the signed-in user's side of `accessibleApps`. */
    async myApps(poolId: string, userId: string) {
      return (await appsOf(repos, poolId, userId))
        .filter((a) => a.allowed)
        .map((a) => ({ ...appSummary(a.app, a.app.id), active: true }));
    },
    /**
     * Whether the user may sign in to the application. Most applications restrict nothing: they are
     * answered from the cached restriction (docs/authorization.md §Cache), without the user's roles
     * and groups.
     */
    async mayUseApp(poolId: string, appId: string, userId: string): Promise<boolean> {
      const { strategy, denies } = await cache.get(poolId, `app\u0000${appId}`, async () => ({
        grants: await repos.authz.appRestriction(appId),
        validUntil: Number.POSITIVE_INFINITY,
      }));
      if (strategyOf(strategy) === "ALLOW_ALL" && !denies) return true;
      const standing = await standingOf(repos, userId, clock.now());
      const rules = (await repos.authz.appAccessOf(poolId, standing.subjects)).filter(
        (r) => r.app_id === appId,
      );
      return mayUse(strategyOf(strategy), rules);
    },
  };
}

export type AppAccess = ReturnType<typeof createAppAccess>;
