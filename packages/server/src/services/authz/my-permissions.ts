import type { AuthorizedResourceDto, GroupDto, RoleDto } from "@gatehouse/protocol";
import type { AuthenticatedUser } from "../tokens/tokens.js";
import type { GrantsCache } from "./cache.js";
import type { AuthzDeps } from "./deps.js";
import { loadGrants } from "./effective.js";
import type { Grants } from "./evaluate.js";
import { toGroupDto } from "./groups.js";
import { resolveNamespace } from "./namespaces.js";
import { effectiveResources } from "./resources.js";
import { heldRoles, roleIsActive, toRoleDto } from "./roles.js";

/** The three kinds of data resource a check names; a tree path also asks its ancestors. */
export type CheckKind = "string" | "array" | "tree";

export interface CheckResult {
  namespaceCode: string;
  action: string;
  resource: string;
  enabled: boolean;
}

/**
 * The signed-in user's side (docs/authorization.md): their roles, groups, resources and apps, and the
 * permission checks. Checks run in the namespace of the token's application (its app id is the
 * namespace code, as in GenAuth) against the cached, folded grants.
 */
export function createMyPermissions(deps: AuthzDeps & { cache: GrantsCache }) {
  const { repos, clock, cache } = deps;

  function grantsOf(user: AuthenticatedUser): Promise<Grants> {
    return cache.get(user.poolId, `${user.userId}\u0000${user.appId}`, () =>
      loadGrants(repos, user.poolId, user.userId, user.appId, clock.now()),
    );
  }

  return {
    grantsOf,
    /** Roles that grant now (direct or through a group) in a namespace, default `default`. */
    async roles(user: AuthenticatedUser, namespace?: string): Promise<RoleDto[]> {
      const now = clock.now();
      const ns = await resolveNamespace(repos, user.poolId, namespace);
      return (await heldRoles(repos, user.userId, ns.id))
        .filter((r) => roleIsActive(r, now))
        .map((r) => toRoleDto(r, r, now));
    },
    /** Codes of the roles that grant now, every namespace: the `roles` claim. */
    async roleCodes(_poolId: string, userId: string): Promise<string[]> {
      const now = clock.now();
      const roles = (await heldRoles(repos, userId)).filter((r) => roleIsActive(r, now));
      return [...new Set(roles.map((r) => r.code))];
    },
    async groups(user: AuthenticatedUser): Promise<GroupDto[]> {
      return (await repos.authz.groupsOfUser(user.userId)).map((g) => toGroupDto(g));
    },
    async resources(
      user: AuthenticatedUser,
      namespace?: string,
      resourceType?: string,
    ): Promise<{ totalCount: number; list: AuthorizedResourceDto[] }> {
      const now = clock.now();
      const ns = await resolveNamespace(repos, user.poolId, namespace);
      const list = await effectiveResources(repos, ns, user.userId, now, resourceType);
      return { totalCount: list.length, list };
    },
    async check(user: AuthenticatedUser, kind: CheckKind, resources: string[], action: string) {
      const grants = await grantsOf(user);
      const checkResultList: CheckResult[] = resources.map((resource) => ({
        namespaceCode: user.appId,
        action,
        resource,
        enabled: kind === "tree" ? grants.allowsPath(resource, action) : grants.allowsExact(resource, action),
      }));
      return { checkResultList };
    },
    /** Per resource path, every action the user may take on it (inherited ones on tree paths too). */
    async permissionList(user: AuthenticatedUser, resources: string[]) {
      const grants = await grantsOf(user);
      const names = [...grants.actionNames()];
      return {
        permissionList: resources.map((resource) => ({
          namespaceCode: user.appId,
          actions: grants.actionsOnPath(resource, names),
          resource,
        })),
      };
    },
  };
}

export type MyPermissions = ReturnType<typeof createMyPermissions>;
