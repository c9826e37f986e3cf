import type { GrantRow, Subject } from "../../storage/repos/authz-resources.js";
import type { Repositories } from "../../storage/repos/index.js";
import { type GrantLine, Grants, statementLines } from "./evaluate.js";
import { type HeldRole, heldRoles, roleIsActive } from "./roles.js";

/** Who a user acts as: themselves, their groups and the roles active now (docs/authorization.md §Evaluation). */
export interface Standing {
  subjects: Subject[];
  activeRoles: HeldRole[];
  /** The first moment (epoch ms) an assignment starts or ends, or a role expires: the standing changes then. */
  changesAt: number;
}

export async function standingOf(repos: Repositories, userId: string, now: number): Promise<Standing> {
  const groups = await repos.authz.groupsOfUser(userId);
  const roles = await heldRoles(repos, userId, undefined, groups);
  const activeRoles = roles.filter((r) => roleIsActive(r, now));
  let changesAt = Number.POSITIVE_INFINITY;
  for (const r of roles) {
    for (const t of [r.enable_time, r.end_time, r.disable_time]) {
      if (t !== null && t > now && t < changesAt) changesAt = t;
    }
  }
  return {
    subjects: [
      { type: "USER", id: userId },
      ...groups.map((g) => ({ type: "GROUP", id: g.id })),
      ...activeRoles.map((r) => ({ type: "ROLE", id: r.id })),
    ],
    activeRoles,
    changesAt,
  };
}

function parseActions(json: string): string[] {
  const v = JSON.parse(json);
  return Array.isArray(v) ? v.filter((a): a is string => typeof a === "string") : [];
}

export function grantLine(row: GrantRow): GrantLine {
  return {
    resource: row.resource,
    effect: row.effect === "DENY" ? "DENY" : "ALLOW",
    actions: parseActions(row.actions),
  };
}

/** The grant lines data policies give these subjects in one namespace (by its code). */
export async function policyLines(
  repos: Repositories,
  subjects: Subject[],
  namespaceCode: string,
): Promise<GrantLine[]> {
  const lines: GrantLine[] = [];
  for (const json of await repos.authz.policyStatementsOf(subjects)) {
    const statements = JSON.parse(json);
    if (Array.isArray(statements)) lines.push(...statementLines(namespaceCode, statements));
  }
  return lines;
}

/** A user's grants in one namespace, folded for checks, and until when they hold. */
export async function loadGrants(
  repos: Repositories,
  poolId: string,
  userId: string,
  namespaceCode: string,
  now: number,
): Promise<{ grants: Grants; validUntil: number }> {
  const [ns, standing] = await Promise.all([
    repos.authz.findNamespace(poolId, namespaceCode),
    standingOf(repos, userId, now),
  ]);
  if (!ns) return { grants: new Grants([]), validUntil: standing.changesAt };
  const [rows, fromPolicies] = await Promise.all([
    repos.authz.grantsOf(standing.subjects, ns.id),
    policyLines(repos, standing.subjects, ns.code),
  ]);
  return { grants: new Grants([...rows.map(grantLine), ...fromPolicies]), validUntil: standing.changesAt };
}
