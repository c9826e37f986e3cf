import assert from "node:assert/strict";
import { it } from "node:test";
import { basic, createApp, form } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/**
 * Introspection and revocation authenticate the client with the method the application registered
 * for each endpoint (`introspection_endpoint_auth_method`, `revocation_endpoint_auth_method`), not
 * with whatever the caller chose to send (docs/wire-contract.md §1.3).
 */
type Method = "client_secret_post" | "client_secret_basic" | "none";
const METHODS: Method[] = ["client_secret_post", "client_secret_basic", "none"];
const ENDPOINTS = [
  { name: "introspection", path: "/oidc/token/introspection", key: "introspectionEndpointAuthMethod" },
  { name: "revocation", path: "/oidc/token/revocation", key: "revocationEndpointAuthMethod" },
] as const;

type App = { appId: string; appSecret: string };

/** The request each method makes, the way RFC 6749 §2.3.1 and the official SDK send it. */
function credentials(
  method: Method,
  app: App,
  secret = app.appSecret,
): { fields: Record<string, string>; headers?: Record<string, string> } {
  if (method === "client_secret_post") return { fields: { client_id: app.appId, client_secret: secret } };
  if (method === "client_secret_basic")
    return { fields: {}, headers: { authorization: basic(app.appId, secret) } };
  return { fields: { client_id: app.appId } };
}

async function accessToken(h: Harness, app: App): Promise<string> {
  const login = await h.api(
    "POST",
    "/api/v3/signin",
    {
      connection: "PASSWORD",
      passwordPayload: { email: "ivy@example.com", password: "ivy-pw-1234" },
      options: { scope: "openid" },
    },
    { "x-authing-app-id": app.appId, authorization: basic(app.appId, app.appSecret) },
  );
  assert.equal(login.statusCode, 200, JSON.stringify(login));
  return login.data.access_token;
}

/** Whether the token is still live, asked through the app's own (right) introspection method. */
async function stillActive(h: Harness, app: App, introspectionMethod: Method, token: string) {
  const c = credentials(introspectionMethod, app);
  const r = await form(h, "/oidc/token/introspection", { token, ...c.fields }, c.headers);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.active as boolean;
}

function assertInvalidClient(r: Awaited<ReturnType<typeof form>>, label: string, viaBasic: boolean) {
  assert.equal(r.status, 401, `${label}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error, "invalid_client", label);
  assert.equal(r.body.active, undefined, `${label}: no introspection answer leaks`);
  if (viaBasic) assert.match(String(r.headers["www-authenticate"]), /^Basic realm=/, label);
}

describeEachDialect("oidc: introspection and revocation client authentication", (h) => {
  it("setup: a user to sign in", async () => {
    const r = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email: "ivy@example.com", password: "ivy-pw-1234" },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
  });

  for (const endpoint of ENDPOINTS) {
    for (const method of METHODS) {
      // The token endpoint's method is deliberately another one: each endpoint uses its own.
      const tokenMethod: Method = method === "client_secret_post" ? "none" : "client_secret_post";
      const introspectionMethod = endpoint.name === "introspection" ? method : tokenMethod;

      it(`${endpoint.name} registered as ${method}: no credentials at all is 401 invalid_client`, async () => {
        const app = await createApp(h(), tokenMethod, { [endpoint.key]: method });
        const token = await accessToken(h(), app);
        const r = await form(h(), endpoint.path, { token });
        assertInvalidClient(r, "nothing", false);
        assert.equal(await stillActive(h(), app, introspectionMethod, token), true);
      });

      it(`${endpoint.name} registered as ${method}: every other method is 401 invalid_client`, async () => {
        const app = await createApp(h(), tokenMethod, { [endpoint.key]: method });
        const token = await accessToken(h(), app);
        for (const other of METHODS.filter((m) => m !== method)) {
          const c = credentials(other, app);
          const r = await form(h(), endpoint.path, { token, ...c.fields }, c.headers);
          assertInvalidClient(r, `${other} against ${method}`, other === "client_secret_basic");
        }
        // The header that names the application is no client authentication for a secret method.
        if (method !== "none") {
          const r = await form(h(), endpoint.path, { token }, { "x-authing-app-id": app.appId });
          assertInvalidClient(r, "x-authing-app-id alone", false);
        }
        assert.equal(await stillActive(h(), app, introspectionMethod, token), true);
      });

      if (method !== "none") {
        it(`${endpoint.name} registered as ${method}: a wrong secret is 401 invalid_client`, async () => {
          const app = await createApp(h(), tokenMethod, { [endpoint.key]: method });
          const token = await accessToken(h(), app);
          const c = credentials(method, app, "not-the-secret");
          const r = await form(h(), endpoint.path, { token, ...c.fields }, c.headers);
          assertInvalidClient(r, "wrong secret", method === "client_secret_basic");
          assert.equal(await stillActive(h(), app, introspectionMethod, token), true);
        });
      }

      it(`${endpoint.name} registered as ${method}: the registered method is answered`, async () => {
        const app = await createApp(h(), tokenMethod, { [endpoint.key]: method });
        const token = await accessToken(h(), app);
        const c = credentials(method, app);
        const r = await form(h(), endpoint.path, { token, ...c.fields }, c.headers);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        if (endpoint.name === "introspection") assert.equal(r.body.active, true);
        else assert.equal(await stillActive(h(), app, introspectionMethod, token), false);
      });
    }
  }

  it("the method set through update-application (oidcConfig) is the one enforced", async () => {
    const app = await createApp(h(), "client_secret_post");
    const r = await mgmt(h(), "POST", "/api/v3/update-application", {
      body: {
        appId: app.appId,
        oidcConfig: {
          introspection_endpoint_auth_method: "client_secret_basic",
          revocation_endpoint_auth_method: "none",
        },
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const token = await accessToken(h(), app);
    const post = credentials("client_secret_post", app);
    assertInvalidClient(
      await form(h(), "/oidc/token/introspection", { token, ...post.fields }),
      "post against basic",
      false,
    );
    assertInvalidClient(
      await form(h(), "/oidc/token/revocation", { token, ...post.fields }),
      "post against none",
      false,
    );
    assert.equal(await stillActive(h(), app, "client_secret_basic", token), true);
    const none = credentials("none", app);
    assert.equal((await form(h(), "/oidc/token/revocation", { token, ...none.fields })).status, 200);
    assert.equal(await stillActive(h(), app, "client_secret_basic", token), false);
  });

  it("without a registered endpoint method, the token endpoint's method applies", async () => {
    const app = await createApp(h(), "client_secret_basic");
    const token = await accessToken(h(), app);
    const post = await form(h(), "/oidc/token/introspection", {
      token,
      client_id: app.appId,
      client_secret: app.appSecret,
    });
    assertInvalidClient(post, "post against basic", false);
    const viaBasic = await form(
      h(),
      "/oidc/token/introspection",
      { token },
      { authorization: basic(app.appId, app.appSecret) },
    );
    assert.equal(viaBasic.body.active, true);
  });
});
