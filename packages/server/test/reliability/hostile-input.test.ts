import assert from "node:assert/strict";
import { it } from "node:test";
import { signedInUser } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";

/**
 * PostgreSQL cannot store U+0000 in text; SQLite can. Either way a NUL has no business in an
 * identifier, a name or an address: it is refused at the door, alike on both dialects.
 */
describeEachDialect("hostile input: NUL characters", (h) => {
  let accessToken = "";
  let managementToken = "";
  it("setup: a user and a management token", async () => {
    accessToken = (await signedInUser(h(), "nul-user@example.com", "nul-password-1")).access_token;
    const issued = await h().api("POST", "/api/v3/get-management-token", {
      accessKeyId: h().boot.userPoolId,
      accessKeySecret: h().boot.userPoolSecret,
    });
    managementToken = issued.data.access_token;
  });

  const client = () => ({ client_id: h().boot.appId, client_secret: h().boot.appSecret });
  const cases: [string, "GET" | "POST", string, () => unknown, () => Record<string, string>][] = [
    [
      "sign-in account",
      "POST",
      "/api/v3/signin",
      () => ({
        connection: "PASSWORD",
        passwordPayload: { account: "a\u0000b", password: "x" },
        ...client(),
      }),
      () => ({}),
    ],
    [
      "sign-up profile field",
      "POST",
      "/api/v3/signup",
      () => ({
        connection: "PASSWORD",
        passwordPayload: { email: "nul-2@example.com", password: "nul-password-2" },
        profile: { nickname: "a\u0000b" },
      }),
      () => ({}),
    ],
    [
      "send-email address",
      "POST",
      "/api/v3/send-email",
      () => ({ channel: "CHANNEL_LOGIN", email: "a\u0000b@example.com" }),
      () => ({}),
    ],
    [
      "a query parameter of a user route",
      "GET",
      "/api/v3/get-my-login-history?appId=%00",
      () => undefined,
      () => ({ authorization: accessToken }),
    ],
    [
      "a query parameter of a management route",
      "GET",
      "/api/v3/get-user?userId=a%00b",
      () => undefined,
      () => ({ authorization: `Bearer ${managementToken}` }),
    ],
    [
      "an object key",
      "POST",
      "/api/v3/signup",
      () => ({
        connection: "PASSWORD",
        passwordPayload: { email: "nul-3@example.com", password: "nul-password-3" },
        profile: { customData: { "k\u0000": 1 } },
      }),
      () => ({}),
    ],
  ];
  for (const [what, method, url, body, headers] of cases) {
    it(`a NUL in ${what} is refused with 400 and changes nothing`, async () => {
      const users = await h().ctx.db.kysely.selectFrom("users").select("id").execute();
      const res = await h().api(method, url, body(), headers());
      assert.equal(res.statusCode, 400, JSON.stringify(res));
      assert.match(res.message, /NUL/);
      const after = await h().ctx.db.kysely.selectFrom("users").select("id").execute();
      assert.equal(after.length, users.length);
    });
  }

  it("a NUL in an /oidc form field is an OAuth invalid_request (HTTP 400)", async () => {
    const res = await h().inject({
      method: "POST",
      url: "/oidc/token",
      payload: `grant_type=refresh_token&refresh_token=%00&client_id=${h().boot.appId}&client_secret=x`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error, "invalid_request");
  });

  it("an escaped backslash-u-0000 (the six characters) is ordinary text", async () => {
    const res = await h().api("POST", "/api/v3/signup", {
      connection: "PASSWORD",
      passwordPayload: { email: "nul-4@example.com", password: "nul-password-4" },
      profile: { nickname: "literally \\u0000" },
    });
    assert.equal(res.statusCode, 200, JSON.stringify(res));
  });
});

describeEachDialect("hostile input: numbers beyond what the database stores", (h) => {
  let accessToken = "";
  let managementToken = "";
  let userId = "";
  it("setup: a user and a management token", async () => {
    const user = await signedInUser(h(), "big-number@example.com", "big-number-pw-1");
    accessToken = user.access_token;
    userId = user.userId;
    const issued = await h().api("POST", "/api/v3/get-management-token", {
      accessKeyId: h().boot.userPoolId,
      accessKeySecret: h().boot.userPoolSecret,
    });
    managementToken = issued.data.access_token;
  });

  const cases: [string, string, () => Record<string, string>][] = [
    [
      "my login history start=1e20",
      "/api/v3/get-my-login-history?start=1e20",
      () => ({ authorization: accessToken }),
    ],
    [
      "my login history end=1e309 (Infinity)",
      "/api/v3/get-my-login-history?end=1e309",
      () => ({ authorization: accessToken }),
    ],
    [
      "a user's login history start=99999999999999999999",
      "/api/v3/get-user-login-history?userId=USER&start=99999999999999999999",
      () => ({ authorization: `Bearer ${managementToken}` }),
    ],
    [
      "list-users updatedAtStart=1e300",
      "/api/v3/list-users?updatedAtStart=1e300",
      () => ({ authorization: `Bearer ${managementToken}` }),
    ],
  ];
  for (const [what, url, headers] of cases) {
    it(`${what} answers 400, not 500, on both dialects`, async () => {
      const res = await h().api("GET", url.replace("USER", userId), undefined, headers());
      assert.equal(res.statusCode, 400, JSON.stringify(res));
    });
  }
});
