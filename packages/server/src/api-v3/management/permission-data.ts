import {
  AuthorizeDataPoliciesRequest,
  CreateArrayDataResourceRequest,
  CreateDataPolicyRequest,
  CreateStringDataResourceRequest,
  CreateTreeDataResourceRequest,
  DataPolicyPageResponse,
  DataPolicyResponse,
  DataResourceKey,
  DataResourcePageResponse,
  DataResourceResponse,
  ListDataPoliciesQuery,
  ListDataResourcesQuery,
  NoDataResponse,
  PolicyIdBody,
  PolicyIdQuery,
  managementPaths as p,
  RevokeDataPolicyRequest,
  UpdateDataPolicyRequest,
  UpdateDataResourceRequest,
} from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../../context.js";
import { poolRoutes } from "./pool-routes.js";

/** For writes that answer the bare envelope (`CommonResponseDto`). */
const bare =
  <A extends unknown[]>(fn: (...args: A) => Promise<unknown>) =>
  async (...args: A) => {
    await fn(...args);
    return undefined;
  };

/** Management API: data resources (string, array, tree) and data policies (docs/authorization.md). */
export function managementPermissionDataRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const { dataResources: d, dataPolicies: dp } = ctx.authz;
    const r = poolRoutes(app, ["management: data resources"]);
    r.post(
      p.createStringDataResource,
      "Create a string data resource",
      CreateStringDataResourceRequest,
      DataResourceResponse,
      (pool, b, o) => d.create(pool, "STRING", b, o),
    );
    r.post(
      p.createArrayDataResource,
      "Create an array data resource",
      CreateArrayDataResourceRequest,
      DataResourceResponse,
      (pool, b, o) => d.create(pool, "ARRAY", b, o),
    );
    r.post(
      p.createTreeDataResource,
      "Create a tree data resource",
      CreateTreeDataResourceRequest,
      DataResourceResponse,
      (pool, b, o) => d.create(pool, "TREE", b, o),
    );
    r.get(p.getDataResource, "Get a data resource", DataResourceKey, DataResourceResponse, (pool, q) =>
      d.get(pool, q.namespaceCode, q.resourceCode),
    );
    r.get(
      p.listDataResources,
      "List data resources",
      ListDataResourcesQuery,
      DataResourcePageResponse,
      d.list,
    );
    r.post(
      p.updateDataResource,
      "Update a data resource",
      UpdateDataResourceRequest,
      DataResourceResponse,
      d.update,
    );
    r.post(
      p.deleteDataResource,
      "Delete a data resource (and the permissions naming it)",
      DataResourceKey,
      NoDataResponse,
      bare((pool, b, o) => d.remove(pool, b.namespaceCode, b.resourceCode, o)),
    );

    const pol = poolRoutes(app, ["management: data policies"]);
    pol.post(
      p.createDataPolicy,
      "Create a data policy",
      CreateDataPolicyRequest,
      DataPolicyResponse,
      dp.create,
    );
    pol.get(
      p.listDataPolicies,
      "List data policies with their resources and targets",
      ListDataPoliciesQuery,
      DataPolicyPageResponse,
      dp.list,
    );
    pol.get(p.getDataPolicy, "Get a data policy", PolicyIdQuery, DataPolicyResponse, (pool, q) =>
      dp.get(pool, q.policyId),
    );
    pol.post(
      p.updateDataPolicy,
      "Update a data policy",
      UpdateDataPolicyRequest,
      DataPolicyResponse,
      dp.update,
    );
    pol.post(
      p.deleteDataPolicy,
      "Delete a data policy",
      PolicyIdBody,
      NoDataResponse,
      bare((pool, b, o) => dp.remove(pool, b.policyId, o)),
    );
    pol.post(
      p.authorizeDataPolicies,
      "Give data policies to users, roles and groups",
      AuthorizeDataPoliciesRequest,
      NoDataResponse,
      bare(dp.authorize),
    );
    pol.post(
      p.revokeDataPolicy,
      "Take a data policy from a user, role or group",
      RevokeDataPolicyRequest,
      NoDataResponse,
      bare(dp.revoke),
    );
  };
}
