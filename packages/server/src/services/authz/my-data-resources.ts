import type { TreeNodeInput } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { DataResourceRow } from "../../storage/repos/authz-resources.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { AuthenticatedUser } from "../tokens/tokens.js";
import { treePaths } from "./data-resources.js";
import type { Grants } from "./evaluate.js";

export interface TreeAuth {
  code: string;
  name: string;
  value?: string;
  actions: string[];
  children: TreeAuth[];
}

/**
 * The data resources of the token's application namespace as the user sees them
 * (get-user-auth-resource-list, get-user-auth-resource-struct): each with the actions the user may
 * take, tree nodes with what they inherit (docs/authorization.md §Evaluation).
 */
export function createMyDataResources(deps: {
  repos: Repositories;
  grantsOf(user: AuthenticatedUser): Promise<Grants>;
}) {
  const { repos, grantsOf } = deps;

  function allowed(grants: Grants, row: DataResourceRow, path: string, tree: boolean): string[] {
    const actions = JSON.parse(row.actions) as string[];
    return actions.filter((a) => (tree ? grants.allowsPath(path, a) : grants.allowsExact(path, a)));
  }

  function treeAuth(
    grants: Grants,
    row: DataResourceRow,
    nodes: TreeNodeInput[],
    prefix: string,
  ): TreeAuth[] {
    return nodes.map((n) => {
      const path = `${prefix}/${n.code}`;
      return {
        code: n.code,
        name: n.name,
        ...(n.value !== undefined ? { value: n.value } : {}),
        actions: allowed(grants, row, path, true),
        children: treeAuth(grants, row, n.children ?? [], path),
      };
    });
  }

  return {
    async authResourceList(user: AuthenticatedUser) {
      const ns = await repos.authz.findNamespace(user.poolId, user.appId);
      if (!ns) return { userPermissionList: [] };
      const grants = await grantsOf(user);
      const resourceList = [];
      for (const row of await repos.authz.listDataResourcesOfNamespace(ns.id)) {
        const struct = JSON.parse(row.struct);
        if (row.type === "TREE") {
          const authList = [];
          for (const { path, node } of treePaths(struct as TreeNodeInput[], row.code)) {
            const nodeActions = allowed(grants, row, path, true);
            if (nodeActions.length > 0)
              authList.push({
                nodePath: path,
                nodeName: node.name,
                nodeActions,
                ...(node.value !== undefined ? { nodeValue: node.value } : {}),
              });
          }
          if (authList.length > 0)
            resourceList.push({ resourceCode: row.code, resourceType: "TREE", treeAuthorize: { authList } });
          continue;
        }
        const actions = allowed(grants, row, row.code, false);
        if (actions.length === 0) continue;
        resourceList.push(
          row.type === "STRING"
            ? { resourceCode: row.code, resourceType: "STRING", strAuthorize: { value: struct, actions } }
            : { resourceCode: row.code, resourceType: "ARRAY", arrAuthorize: { values: struct, actions } },
        );
      }
      return { userPermissionList: [{ userId: user.userId, namespaceCode: ns.code, resourceList }] };
    },

    async struct(user: AuthenticatedUser, resourceCode: string) {
      const ns = await repos.authz.findNamespace(user.poolId, user.appId);
      const row = ns ? await repos.authz.findDataResource(ns.id, resourceCode) : undefined;
      if (!ns || !row) throw new ApiError("RESOURCE_NOT_FOUND");
      const grants = await grantsOf(user);
      const struct = JSON.parse(row.struct);
      const base = { namespaceCode: ns.code, resourceCode: row.code, resourceType: row.type };
      if (row.type === "STRING")
        return {
          ...base,
          strResourceAuthAction: { value: struct, actions: allowed(grants, row, row.code, false) },
        };
      if (row.type === "ARRAY")
        return {
          ...base,
          arrResourceAuthAction: { values: struct, actions: allowed(grants, row, row.code, false) },
        };
      return {
        ...base,
        treeResourceAuthAction: { nodeAuthActionList: treeAuth(grants, row, struct, row.code) },
      };
    },
  };
}
