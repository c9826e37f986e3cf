import assert from "node:assert/strict";
import { it } from "node:test";
import { ApplicationDto } from "@gatehouse/protocol";
import { Value } from "@sinclair/typebox/value";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

describeEachDialect("management applications", (h) => {
  it("create-application answers an ApplicationDto with every field the SDK models", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-application", {
      body: { appName: "Shop", appIdentifier: "shop", redirectUris: ["https://shop.example/cb"] },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const a = r.data;
    assert.ok(
      Value.Check(ApplicationDto, a),
      JSON.stringify([...Value.Errors(ApplicationDto, a)].slice(0, 3)),
    );
    assert.equal(a.appName, "Shop");
    assert.equal(a.appIdentifier, "shop");
    assert.equal(a.appType, "web");
    assert.equal(a.userPoolId, h().boot.userPoolId);
    assert.equal(a.isIntegrateApp, false);
    assert.equal(a.defaultProtocol, "oidc");
    assert.deepEqual(a.redirectUris, ["https://shop.example/cb"]);
    assert.equal(a.oidcConfig.token_endpoint_auth_method, "client_secret_post");
    assert.equal(a.oidcConfig.access_token_expire, 7200);
    assert.ok(a.loginConfig.enabledBasicLoginMethods.includes("EMAIL_PASSWORD"));
  });

  it("a spa or native application defaults to token endpoint auth method none", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-application", {
      body: { appName: "SPA", appType: "spa" },
    });
    assert.equal(r.data.oidcConfig.token_endpoint_auth_method, "none");
    assert.match(r.data.appIdentifier, /^spa-[0-9a-f]{6}$/);
    const row = await h().ctx.repos.applications.findApplicationById(r.data.appId);
    assert.equal(row?.token_endpoint_auth_method, "none");
  });

  it("appIdentifier is unique within the pool (409/2039)", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-application", {
      body: { appName: "Dup", appIdentifier: "shop" },
    });
    assert.equal(r.statusCode, 409);
    assert.equal(r.apiCode, 2039);
  });

  it("get-application and list-applications (paged, keywords, all)", async () => {
    const shop = (await mgmt(h(), "GET", "/api/v3/list-applications", { params: { keywords: "SHO" } })).data;
    assert.equal(shop.totalCount, 1);
    const id = shop.list[0].appId;
    const one = await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: id } });
    assert.equal(one.data.appName, "Shop");
    const page = await mgmt(h(), "GET", "/api/v3/list-applications", {
      params: { page: 1, limit: 2, isIntegrateApp: false, isSelfBuiltApp: false, ssoEnabled: false },
    });
    assert.equal(page.data.list.length, 2);
    assert.equal(page.data.totalCount, 3);
    const all = await mgmt(h(), "GET", "/api/v3/list-applications", { params: { limit: 1, all: true } });
    assert.equal(all.data.list.length, 3);
    const integrated = await mgmt(h(), "GET", "/api/v3/list-applications", {
      params: { isIntegrateApp: true },
    });
    assert.equal(integrated.data.totalCount, 0);
    const missing = await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: "nope" } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.apiCode, 2011);
  });

  it("update-application: redirect URIs, logout URIs, token auth method, lifetimes, login/register methods", async () => {
    const id = (await mgmt(h(), "GET", "/api/v3/list-applications", { params: { keywords: "shop" } })).data
      .list[0].appId;
    const r = await mgmt(h(), "POST", "/api/v3/update-application", {
      body: {
        appId: id,
        appName: "Shop 2",
        redirectUris: ["https://shop.example/cb2"],
        logoutRedirectUris: ["https://shop.example/bye"],
        ssoEnabled: true,
        oidcConfig: {
          token_endpoint_auth_method: "client_secret_basic",
          access_token_expire: 600,
          refresh_token_expire: 86400,
        },
        loginConfig: { enabledBasicLoginMethods: ["PHONE_CODE"], showAuthorizationPage: true },
        registerConfig: {
          enabledBasicRegisterMethods: ["EMAIL_PASSWORD"],
          defaultRegisterMethod: "PASSWORD",
        },
        brandingConfig: { defaultLanguage: "en-US" },
      },
    });
    assert.deepEqual(r.data, { success: true }, JSON.stringify(r));
    const a = (await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: id } })).data;
    assert.equal(a.appName, "Shop 2");
    assert.deepEqual(a.redirectUris, ["https://shop.example/cb2"]);
    assert.deepEqual(a.logoutRedirectUris, ["https://shop.example/bye"]);
    assert.equal(a.ssoEnabled, true);
    assert.ok(a.ssoEnabledAt);
    assert.equal(a.oidcConfig.token_endpoint_auth_method, "client_secret_basic");
    assert.equal(a.oidcConfig.access_token_expire, 600);
    assert.deepEqual(a.loginConfig.enabledBasicLoginMethods, ["PHONE_CODE"]);
    assert.equal(a.loginConfig.showAuthorizationPage, true);
    assert.deepEqual(a.registerConfig.enabledBasicRegisterMethods, ["EMAIL_PASSWORD"]);
    assert.equal(a.brandingConfig.defaultLanguage, "en-US");
    // What the token service reads: the column and the bootstrap-shaped config keys.
    const row = await h().ctx.repos.applications.findApplicationById(id);
    assert.equal(row?.token_endpoint_auth_method, "client_secret_basic");
    const config = JSON.parse(row!.config);
    assert.equal(config.accessTokenExpiresIn, 600);
    assert.equal(config.refreshTokenExpiresIn, 86400);
    assert.deepEqual(config.redirectUris, ["https://shop.example/cb2"]);
  });

  it("update-application: the OpenID Provider's response types, code lifetime and consent", async () => {
    const id = (await mgmt(h(), "GET", "/api/v3/list-applications", { params: { keywords: "shop" } })).data
      .list[0].appId;
    const before = (await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: id } })).data;
    assert.deepEqual(before.oidcConfig.response_types, ["code"]);
    assert.equal(before.oidcConfig.authorization_code_expire, 60);
    assert.equal(before.oidcConfig.skip_consent, true);
    const r = await mgmt(h(), "POST", "/api/v3/update-application", {
      body: {
        appId: id,
        oidcConfig: {
          response_types: ["code id_token", "id_token"],
          authorization_code_expire: 30,
          skip_consent: false,
        },
      },
    });
    assert.deepEqual(r.data, { success: true }, JSON.stringify(r));
    const a = (await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: id } })).data;
    assert.deepEqual(a.oidcConfig.response_types, ["code", "code id_token", "id_token"]);
    assert.equal(a.oidcConfig.authorization_code_expire, 30);
    assert.equal(a.oidcConfig.skip_consent, false);
    const bad = await mgmt(h(), "POST", "/api/v3/update-application", {
      body: { appId: id, oidcConfig: { response_types: ["token"] } },
    });
    assert.equal(bad.statusCode, 400);
  });

  it("update-application refuses an unknown auth method or lifetime out of range (400) and changes nothing", async () => {
    const id = (await mgmt(h(), "GET", "/api/v3/list-applications", { params: { keywords: "shop" } })).data
      .list[0].appId;
    const r = await mgmt(h(), "POST", "/api/v3/update-application", {
      body: { appId: id, oidcConfig: { token_endpoint_auth_method: "private_key_jwt" } },
    });
    assert.equal(r.statusCode, 400);
    const t = await mgmt(h(), "POST", "/api/v3/update-application", {
      body: { appId: id, oidcConfig: { access_token_expire: 1 } },
    });
    assert.equal(t.statusCode, 400);
    const a = (await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: id } })).data;
    assert.equal(a.oidcConfig.token_endpoint_auth_method, "client_secret_basic");
  });

  it("get-application-secret and refresh-application-secret", async () => {
    const id = h().boot.appId;
    const s = await mgmt(h(), "GET", "/api/v3/get-application-secret", { params: { appId: id } });
    assert.equal(s.data.secret, h().boot.appSecret);
    const created = await mgmt(h(), "POST", "/api/v3/create-application", { body: { appName: "Rotate" } });
    const r = await mgmt(h(), "POST", "/api/v3/refresh-application-secret", {
      body: { appId: created.data.appId },
    });
    assert.match(r.data.secret, /^[0-9a-f]{32}$/);
    const after = await mgmt(h(), "GET", "/api/v3/get-application-secret", {
      params: { appId: created.data.appId },
    });
    assert.equal(after.data.secret, r.data.secret);
  });

  it("refresh-application-secret: the old secret is refused at once, though it was just opened and kept in memory", async () => {
    const created = await mgmt(h(), "POST", "/api/v3/create-application", { body: { appName: "Kept" } });
    const appId = created.data.appId as string;
    const old = (await mgmt(h(), "GET", "/api/v3/get-application-secret", { params: { appId } })).data.secret;
    const auth = (clientSecret: string) => h().ctx.auth.authenticateClient({ clientId: appId, clientSecret });
    assert.equal((await auth(old)).confidential, true);
    const r = await mgmt(h(), "POST", "/api/v3/refresh-application-secret", { body: { appId } });
    await assert.rejects(auth(old), (err: Error & { key?: string }) => err.key === "CLIENT_AUTH_FAILED");
    assert.equal((await auth(r.data.secret)).confidential, true);
  });

  it("delete-application removes an application; the bootstrap application is protected", async () => {
    const created = await mgmt(h(), "POST", "/api/v3/create-application", { body: { appName: "Temp" } });
    const r = await mgmt(h(), "POST", "/api/v3/delete-application", { body: { appId: created.data.appId } });
    assert.deepEqual(r.data, { success: true });
    assert.equal(
      (await mgmt(h(), "GET", "/api/v3/get-application", { params: { appId: created.data.appId } }))
        .statusCode,
      404,
    );
    const boot = await mgmt(h(), "POST", "/api/v3/delete-application", { body: { appId: h().boot.appId } });
    assert.equal(boot.statusCode, 422);
  });
});
