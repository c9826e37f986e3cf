import assert from "node:assert/strict";
import { it } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { authPaths, managementPaths, userInformationExamples } from "@gatehouse/protocol";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { describeEachDialect } from "../helpers/harness.js";

type Operation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; example?: unknown; schema: object }[];
  requestBody?: { content: Record<string, { schema: object; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: object; example?: unknown }> }>;
};

/** The operations anyone may call with no credential at all. */
const PUBLIC = [
  "GET /api/v3/system",
  "GET /api/v3/get-country-list",
  "GET /api/v3/generate-link-extidp-url",
  "POST /api/v3/get-management-token",
  "GET /oidc/.well-known/openid-configuration",
  "GET /oidc/.well-known/jwks.json",
  "GET /oidc/session/end",
  "POST /oidc/session/end",
  "GET /oidc/session/end/success",
  "GET /oidc/auth",
  "POST /oidc/auth",
  "GET /oidc/auth/resume/{uid}",
  "GET /oauth/auth",
  "POST /oauth/auth",
  "POST /mfa/token/introspection",
];

describeEachDialect("the OpenAPI document", (h) => {
  async function doc() {
    return (await h().inject({ method: "GET", url: "/openapi.json" })).json();
  }
  function operations(d: { paths: Record<string, Record<string, Operation>> }) {
    return Object.entries(d.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op })),
    );
  }

  it("validates against the OpenAPI specification (swagger-parser)", async () => {
    const d = await doc();
    await SwaggerParser.validate(structuredClone(d));
    assert.deepEqual(Object.keys(d.components.securitySchemes).sort(), [
      "appId",
      "clientSecretBasic",
      "managementSignature",
      "managementToken",
      "mfaToken",
      "userToken",
    ]);
  });

  it("every operation names its security; only the public ones name none", async () => {
    const ops = operations(await doc());
    assert.ok(ops.length > 50);
    const unnamed = ops.filter(({ op }) => op.security === undefined).map(({ key }) => key);
    assert.deepEqual(unnamed, []);
    const open = ops.filter(({ op }) => op.security?.length === 0).map(({ key }) => key);
    assert.deepEqual(open.sort(), [...PUBLIC].sort());
  });

  it("each family of operations names the credential its routes check", async () => {
    const ops = operations(await doc());
    const securityOf = (key: string) => ops.find((o) => o.key === key)?.op.security;
    const management = new Set<string>(Object.values(managementPaths));
    let managed = 0;
    for (const { key, path, op } of ops) {
      if (!management.has(path) || path === managementPaths.getManagementToken) continue;
      managed++;
      assert.deepEqual(op.security, [{ managementSignature: [] }, { managementToken: [] }], key);
    }
    assert.ok(managed > 20, "the management operations were found");
    assert.deepEqual(securityOf(`GET ${authPaths.getProfile}`), [{ userToken: [] }]);
    assert.deepEqual(securityOf(`POST ${authPaths.updatePhone}`), [{ userToken: [] }]);
    assert.deepEqual(securityOf(`POST ${authPaths.resetPassword}`), [{ appId: [] }]);
    assert.deepEqual(securityOf(`POST ${authPaths.signin}`), [{ appId: [] }]);
    assert.deepEqual(securityOf("POST /oidc/token"), [{ clientSecretBasic: [] }, {}]);
    assert.deepEqual(securityOf("GET /oidc/me"), [{ userToken: [] }]);
  });

  it("every operation of the user-information module has an example request and answer that fit its schemas", async () => {
    const d = await doc();
    const ajv = addFormats.default(new Ajv.default({ strict: false, allErrors: true }));
    const fits = (schema: object, value: unknown, what: string) => {
      const validate = ajv.compile(schema);
      assert.ok(validate(value), `${what}: ${ajv.errorsText(validate.errors)}`);
    };
    assert.equal(Object.keys(userInformationExamples).length, 17);
    for (const [path, example] of Object.entries(userInformationExamples)) {
      const ops = Object.entries<Operation>(d.paths[path] ?? {});
      assert.equal(ops.length, 1, path);
      const [method, op] = ops[0]!;
      const answer = op.responses["200"]?.content?.["application/json"];
      assert.ok(answer?.example, `${path}: answer example`);
      fits(answer.schema, answer.example, `${path} answer`);
      if (method === "post") {
        const body = op.requestBody?.content["application/json"];
        assert.ok(body?.example, `${path}: request example`);
        fits(body.schema, body.example, `${path} request`);
      } else {
        for (const [name, value] of Object.entries(example.request ?? {})) {
          const param = op.parameters?.find((p) => p.in === "query" && p.name === name);
          assert.ok(param, `${path}: query parameter ${name}`);
          assert.equal(param.example, value);
          fits(param.schema, value, `${path} ?${name}`);
        }
      }
    }
  });
});
