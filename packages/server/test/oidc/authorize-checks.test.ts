import assert from "node:assert/strict";
import { it } from "node:test";
import { defaultAppConfig } from "../../src/services/admin/bootstrap.js";
import type {
  AuthorizationRequest,
  RawAuthorizationParams,
} from "../../src/services/oidc/authorize/types.js";
import { AuthorizeError } from "../../src/services/oidc/authorize/types.js";
import { DraftError, validateAuthorization } from "../../src/services/oidc/authorize/validate.js";
import { createApp } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";

const CB = "https://rp.example.com/cb";
const CB2 = "http://127.0.0.1:8080/second";
/** 43 unreserved characters: the shortest challenge RFC 7636 §4.2 allows. */
const CHALLENGE = "abcdefghijklmnopqrstuvwxyz-._~ABCDEFGHIJKLM";

// The authorization request's checks one rule at a time, called directly (docs/oidc-provider.md
// §Authorization request): the exact OAuth error and description, whether it is shown on the
// error page or sent back to the client, and what the client's error is sent with (redirect URI,
// response mode). The HTTP suites (authorize-errors, web-message …) pin the same rules end to
// end; these are fast enough to run for every mutant of `npm run mutate -- oidc-provider`.
describeEachDialect("oidc: the authorization request's checks", (h) => {
  let app = "";
  let pub = "";
  let hybrid = "";
  let plain = "";
  let none = "";
  let custom = "";
  let broken = "";
  let long = "";

  const base = (): RawAuthorizationParams => ({
    client_id: app,
    redirect_uri: CB,
    response_type: "code",
    scope: "openid",
  });
  const ok = async (raw: RawAuthorizationParams, requireOpenid = true): Promise<AuthorizationRequest> =>
    (await validateAuthorization(raw, h().ctx.repos, { requireOpenid })).request;
  /** The error sent back to the client: code, description and the draft's target. */
  const back = async (raw: RawAuthorizationParams, requireOpenid = true) => {
    const err = await validateAuthorization(raw, h().ctx.repos, { requireOpenid }).then(
      () => assert.fail("accepted"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DraftError, String(err));
    assert.equal(err.cause.redirectable, true);
    assert.equal(err.message, err.cause.description);
    assert.equal(err.name, "DraftError");
    return {
      error: err.cause.error,
      description: err.cause.description,
      redirectUri: err.draft.redirectUri,
      responseMode: err.draft.responseMode,
    };
  };
  /** The error shown on the error page (never redirected). */
  const page = async (raw: RawAuthorizationParams) => {
    const err = await validateAuthorization(raw, h().ctx.repos, { requireOpenid: true }).then(
      () => assert.fail("accepted"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthorizeError && !(err instanceof DraftError), String(err));
    assert.equal(err.redirectable, false);
    return { error: err.error, description: err.description };
  };

  it("setup", async () => {
    app = (await createApp(h(), "client_secret_post", { redirectUris: [CB, CB2, "myapp://cb"] })).appId;
    pub = (await createApp(h(), "none", { redirectUris: [CB] })).appId;
    hybrid = (
      await createApp(h(), "client_secret_post", {
        redirectUris: [CB],
        // Stored as an administrator may write them: words in any order.
        responseTypes: ["id_token", "token id_token", "id_token code", "code token", "code id_token token"],
      })
    ).appId;
    plain = (await createApp(h(), "client_secret_post", { redirectUris: [CB], allowPlainPkce: true })).appId;
    none = (await createApp(h(), "client_secret_post", { redirectUris: [], responseTypes: [] })).appId;
    custom = (await createApp(h(), "client_secret_post", { redirectUris: ["myapp://cb"] })).appId;
    broken = (await createApp(h(), "client_secret_post", { redirectUris: ["not a url"] })).appId;
    // An application whose id is exactly as long as a client_id may be.
    long = "L".repeat(64);
    const now = Date.now();
    await h().ctx.repos.applications.insertApplication({
      id: long,
      pool_id: h().boot.userPoolId,
      name: "long id",
      identifier: long,
      secret: h().ctx.keys.box.seal("app-secret", long, "s".repeat(32)),
      app_type: "web",
      token_endpoint_auth_method: "client_secret_post",
      config: JSON.stringify({ ...defaultAppConfig(), redirectUris: [CB] }),
      created_at: now,
      updated_at: now,
    });
  });

  it("the request once every check passed: every field, and nothing for what was not sent", async () => {
    assert.deepEqual(await ok(base()), {
      clientId: app,
      redirectUri: CB,
      responseType: "code",
      responseMode: "query",
      scope: "openid",
      prompt: [],
    });
    assert.deepEqual(
      await ok({
        ...base(),
        redirect_uri: CB2,
        scope: "openid profile bogus profile",
        state: "",
        nonce: "n-1",
        prompt: "login  consent login",
        max_age: "0",
        code_challenge: CHALLENGE,
        code_challenge_method: "S256",
        login_hint: "a@example.com",
        ui_locales: "zh-CN en",
        acr_values: " mfa  urn:x ",
        response_mode: "form_post",
      }),
      {
        clientId: app,
        redirectUri: CB2,
        responseType: "code",
        responseMode: "form_post",
        scope: "openid profile",
        state: "",
        nonce: "n-1",
        prompt: ["login", "consent"],
        maxAge: 0,
        codeChallenge: CHALLENGE,
        codeChallengeMethod: "S256",
        loginHint: "a@example.com",
        uiLocales: "zh-CN en",
        acrValues: ["mfa", "urn:x"],
      },
    );
    // Empty hints are not kept; acr_values keeps its first ten words.
    const words = Array.from({ length: 12 }, (_, i) => `acr${i}`);
    const r = await ok({ ...base(), login_hint: "", ui_locales: "", acr_values: words.join(" ") });
    assert.equal("loginHint" in r, false);
    assert.equal("uiLocales" in r, false);
    assert.deepEqual(r.acrValues, words.slice(0, 10));
    assert.equal("acrValues" in (await ok({ ...base(), acr_values: "" })), false);
  });

  it("client_id: missing, empty, unknown or too long is the error page", async () => {
    const { client_id: _, ...rest } = base();
    assert.deepEqual(await page(rest), { error: "invalid_request", description: "client_id is required" });
    assert.deepEqual(await page({ ...base(), client_id: "" }), {
      error: "invalid_request",
      description: "client_id is required",
    });
    assert.deepEqual(await page({ ...base(), client_id: "no-such-client" }), {
      error: "invalid_client",
      description: "no application has this client_id",
    });
    assert.deepEqual(await page({ ...base(), client_id: `${long}L` }), {
      error: "invalid_client",
      description: "no application has this client_id",
    });
    assert.equal((await ok({ ...base(), client_id: long })).clientId, long);
  });

  it("redirect_uri: exactly a registered one; omitted, the first; none registered is the error page", async () => {
    assert.equal((await ok({ ...base(), redirect_uri: undefined })).redirectUri, CB);
    assert.equal((await ok({ ...base(), redirect_uri: "" })).redirectUri, CB);
    assert.equal((await ok({ ...base(), redirect_uri: CB2 })).redirectUri, CB2);
    for (const wrong of [`${CB}/`, `${CB}x`, "https://evil.example.com/cb", CB.toUpperCase()])
      assert.deepEqual(await page({ ...base(), redirect_uri: wrong }), {
        error: "invalid_request",
        description: "redirect_uri is not registered for this client",
      });
    assert.deepEqual(await page({ ...base(), client_id: none, redirect_uri: undefined }), {
      error: "invalid_request",
      description: "redirect_uri is required: the client registered none",
    });
    assert.deepEqual(await page({ ...base(), client_id: none }), {
      error: "invalid_request",
      description: "redirect_uri is not registered for this client",
    });
  });

  it("request and request_uri: refused back to the client, even empty", async () => {
    for (const request of ["x.y.z", ""])
      assert.deepEqual(await back({ ...base(), request, response_mode: "form_post" }), {
        error: "request_not_supported",
        description: "request objects are not supported",
        redirectUri: CB,
        responseMode: undefined,
      });
    for (const request_uri of ["https://rp.example.com/r", ""])
      assert.deepEqual(await back({ ...base(), request_uri }), {
        error: "request_uri_not_supported",
        description: "request_uri is not supported",
        redirectUri: CB,
        responseMode: undefined,
      });
  });

  it("response_mode: the four modes; an unknown one refused; the default follows the type", async () => {
    for (const mode of ["query", "fragment", "form_post", "web_message"])
      assert.equal((await ok({ ...base(), response_mode: mode })).responseMode, mode);
    assert.equal((await ok({ ...base(), response_mode: "" })).responseMode, "query");
    assert.deepEqual(await back({ ...base(), response_mode: "jwt" }), {
      error: "invalid_request",
      description: "response_mode jwt is not supported",
      redirectUri: CB,
      responseMode: undefined,
    });
    // A known mode is kept for the errors of the later checks.
    assert.deepEqual(await back({ ...base(), response_mode: "form_post", response_type: "token" }), {
      error: "unsupported_response_type",
      description: "response_type token is not supported",
      redirectUri: CB,
      responseMode: "form_post",
    });
    const implicit = { ...base(), client_id: hybrid, response_type: "id_token", nonce: "n" };
    assert.equal((await ok(implicit)).responseMode, "fragment");
    assert.equal((await ok({ ...implicit, response_mode: "form_post" })).responseMode, "form_post");
    assert.equal((await ok({ ...implicit, response_type: "code id_token" })).responseMode, "fragment");
    assert.equal((await ok({ ...implicit, response_type: "code token" })).responseMode, "fragment");
  });

  it("response_mode query: refused for every type that returns tokens in the front channel", async () => {
    for (const type of ["id_token", "id_token token", "code id_token", "code token", "code id_token token"])
      assert.deepEqual(
        await back({ ...base(), client_id: hybrid, response_type: type, nonce: "n", response_mode: "query" }),
        {
          error: "invalid_request",
          description: `response_mode query is not allowed for response_type ${type}`,
          redirectUri: CB,
          responseMode: "query",
        },
      );
  });

  it("response_mode web_message: only to an http or https redirect URI", async () => {
    // The other modes take any registered URI, an app's own scheme too.
    for (const mode of ["query", "fragment", "form_post"])
      assert.equal(
        (await ok({ ...base(), redirect_uri: "myapp://cb", response_mode: mode })).responseMode,
        mode,
      );
    assert.equal(
      (await ok({ ...base(), redirect_uri: CB2, response_mode: "web_message" })).responseMode,
      "web_message",
    );
    for (const [client_id, redirect_uri] of [
      [app, "myapp://cb"],
      [custom, undefined],
      [broken, undefined],
    ])
      assert.deepEqual(await back({ ...base(), client_id, redirect_uri, response_mode: "web_message" }), {
        error: "invalid_request",
        description: "response_mode web_message needs an http or https redirect_uri",
        redirectUri: redirect_uri ?? (client_id === custom ? "myapp://cb" : "not a url"),
        responseMode: undefined,
      });
  });

  it("response_type: required, known, its words in any order, enabled for the application", async () => {
    for (const response_type of [undefined, ""])
      assert.deepEqual(await back({ ...base(), response_type }), {
        error: "invalid_request",
        description: "response_type is required",
        redirectUri: CB,
        responseMode: undefined,
      });
    for (const response_type of ["token", "code code", "none", "code bogus"])
      assert.deepEqual(await back({ ...base(), response_type }), {
        error: "unsupported_response_type",
        description: `response_type ${response_type} is not supported`,
        redirectUri: CB,
        responseMode: undefined,
      });
    assert.equal((await ok({ ...base(), response_type: " code " })).responseType, "code");
    const h2 = { ...base(), client_id: hybrid, nonce: "n" };
    assert.equal((await ok({ ...h2, response_type: "token  id_token" })).responseType, "id_token token");
    assert.equal((await ok({ ...h2, response_type: "id_token code" })).responseType, "code id_token");
    assert.equal((await ok({ ...h2, response_type: "token code" })).responseType, "code token");
    assert.equal(
      (await ok({ ...h2, response_type: "token id_token code" })).responseType,
      "code id_token token",
    );
    // Not enabled for this application: unauthorized_client, the type as the client sent it.
    assert.deepEqual(await back({ ...base(), response_type: "id_token code", nonce: "n" }), {
      error: "unauthorized_client",
      description: "response_type id_token code is not enabled for this client",
      redirectUri: CB,
      responseMode: "fragment",
    });
  });

  it("response_type: code is always enabled; /oauth/auth answers no type with an ID token", async () => {
    const empty = (await createApp(h(), "client_secret_post", { redirectUris: [CB], responseTypes: [] }))
      .appId;
    assert.equal((await ok({ ...base(), client_id: empty })).responseType, "code");
    assert.deepEqual(await back({ ...base(), client_id: empty, response_type: "code token" }), {
      error: "unauthorized_client",
      description: "response_type code token is not enabled for this client",
      redirectUri: CB,
      responseMode: "fragment",
    });
    const oauth = { ...base(), client_id: hybrid, scope: "profile", nonce: "n" };
    for (const response_type of ["id_token", "code id_token", "id_token token"])
      assert.equal((await back({ ...oauth, response_type }, false)).error, "unsupported_response_type");
    assert.equal((await ok({ ...oauth, response_type: "code token" }, false)).responseType, "code token");
    assert.equal((await ok({ ...oauth, response_type: "code" }, false)).scope, "profile");
  });

  it("scope: openid required at /oidc/auth, not at /oauth/auth; the known scopes granted", async () => {
    for (const scope of [undefined, "", "profile email", "openidx"])
      assert.deepEqual(await back({ ...base(), scope }), {
        error: "invalid_scope",
        description: "scope must include openid",
        redirectUri: CB,
        responseMode: "query",
      });
    assert.equal((await ok({ ...base(), scope: "email  openid phone x" })).scope, "email openid phone");
    assert.equal((await ok({ ...base(), scope: undefined }, false)).scope, "openid profile");
  });

  it("prompt: known words, none alone, repeated words once", async () => {
    assert.deepEqual((await ok({ ...base(), prompt: "none" })).prompt, ["none"]);
    assert.deepEqual((await ok({ ...base(), prompt: "none none" })).prompt, ["none"]);
    assert.deepEqual((await ok({ ...base(), prompt: "select_account" })).prompt, ["select_account"]);
    assert.deepEqual((await ok({ ...base(), prompt: "" })).prompt, []);
    assert.deepEqual(await back({ ...base(), prompt: "login bogus" }), {
      error: "invalid_request",
      description: "prompt bogus is not supported",
      redirectUri: CB,
      responseMode: "query",
    });
    for (const prompt of ["none login", "consent none"])
      assert.deepEqual(await back({ ...base(), prompt }), {
        error: "invalid_request",
        description: "prompt none must be used alone",
        redirectUri: CB,
        responseMode: "query",
      });
  });

  it("max_age: whole seconds, 0 to ten digits", async () => {
    assert.equal((await ok({ ...base(), max_age: "3600" })).maxAge, 3600);
    assert.equal((await ok({ ...base(), max_age: "9999999999" })).maxAge, 9_999_999_999);
    assert.equal("maxAge" in (await ok({ ...base(), max_age: "" })), false);
    for (const max_age of ["-1", "1.5", "1e3", "x1", "1x", " 1", "99999999999"])
      assert.deepEqual(await back({ ...base(), max_age }), {
        error: "invalid_request",
        description: "max_age must be a whole number of seconds",
        redirectUri: CB,
        responseMode: "query",
      });
  });

  it("PKCE: S256 or an allowed plain; required for public clients whenever a code is asked for", async () => {
    const refused = (raw: RawAuthorizationParams, description: string) =>
      back(raw).then((e) =>
        assert.deepEqual(e, {
          error: "invalid_request",
          description,
          redirectUri: CB,
          responseMode: e.responseMode,
        }),
      );
    const pkce = "PKCE is required for public clients: send code_challenge";
    await refused({ ...base(), client_id: pub }, pkce);
    await refused({ ...base(), client_id: pub, code_challenge: "", code_challenge_method: "S256" }, pkce);
    await refused(
      { ...base(), code_challenge_method: "S256" },
      "code_challenge_method without code_challenge",
    );
    await refused(
      { ...base(), code_challenge: CHALLENGE, code_challenge_method: "S512" },
      "code_challenge_method S512 is not supported",
    );
    await refused(
      { ...base(), code_challenge: CHALLENGE, code_challenge_method: "s256" },
      "code_challenge_method s256 is not supported",
    );
    const plainRefused = "code_challenge_method plain is not allowed; use S256";
    await refused({ ...base(), code_challenge: CHALLENGE }, plainRefused);
    await refused({ ...base(), code_challenge: CHALLENGE, code_challenge_method: "" }, plainRefused);
    await refused({ ...base(), code_challenge: CHALLENGE, code_challenge_method: "plain" }, plainRefused);
    for (const challenge of [
      CHALLENGE.slice(1),
      "a".repeat(129),
      `${CHALLENGE}+`,
      `+${CHALLENGE}`,
      `${CHALLENGE.slice(1)}=`,
    ])
      await refused(
        { ...base(), code_challenge: challenge, code_challenge_method: "S256" },
        "code_challenge is malformed",
      );

    // Accepted: the challenge and its method are kept for the code.
    const s256 = await ok({
      ...base(),
      client_id: pub,
      code_challenge: CHALLENGE,
      code_challenge_method: "S256",
    });
    assert.deepEqual([s256.codeChallenge, s256.codeChallengeMethod], [CHALLENGE, "S256"]);
    const max = "a".repeat(128);
    const p = await ok({ ...base(), client_id: plain, code_challenge: max });
    assert.deepEqual([p.codeChallenge, p.codeChallengeMethod], [max, "plain"]);
    const p2 = await ok({
      ...base(),
      client_id: plain,
      code_challenge: CHALLENGE,
      code_challenge_method: "plain",
    });
    assert.deepEqual([p2.codeChallenge, p2.codeChallengeMethod], [CHALLENGE, "plain"]);
    // A confidential client may leave PKCE out.
    const without = await ok(base());
    assert.equal("codeChallenge" in without || "codeChallengeMethod" in without, false);
    // The hybrid types ask for a code too; the implicit ones do not, and ignore PKCE parameters.
    const pubHybrid = (
      await createApp(h(), "none", { redirectUris: [CB], responseTypes: ["code id_token", "id_token"] })
    ).appId;
    assert.deepEqual(
      await back({ ...base(), client_id: pubHybrid, response_type: "code id_token", nonce: "n" }),
      {
        error: "invalid_request",
        description: pkce,
        redirectUri: CB,
        responseMode: "fragment",
      },
    );
    const implicit = await ok({
      ...base(),
      client_id: pubHybrid,
      response_type: "id_token",
      nonce: "n",
      code_challenge: "bad",
      code_challenge_method: "bogus",
    });
    assert.equal("codeChallenge" in implicit || "codeChallengeMethod" in implicit, false);
  });

  it("nonce: kept when sent; required when an ID token comes from the authorization endpoint", async () => {
    assert.equal("nonce" in (await ok({ ...base(), nonce: "" })), false);
    const h2 = { ...base(), client_id: hybrid };
    for (const type of ["id_token", "id_token token", "code id_token", "code id_token token"])
      for (const nonce of [undefined, ""])
        assert.deepEqual(await back({ ...h2, response_type: type, nonce }), {
          error: "invalid_request",
          description: `nonce is required for response_type ${type}`,
          redirectUri: CB,
          responseMode: "fragment",
        });
    assert.equal("nonce" in (await ok({ ...h2, response_type: "code token" })), false);
    assert.equal((await ok({ ...h2, response_type: "id_token", nonce: "n-2" })).nonce, "n-2");
  });
});
