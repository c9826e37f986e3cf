import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { findUserByEmail } from "../../src/services/users/identifiers.js";
import { createApp, signInByPassword, signUpByEmail } from "../helpers/auth.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";

const clock = new FakeClock();
const history = (h: Harness, token: string, query = "") =>
  h.api("GET", `/api/v3/get-my-login-history${query}`, undefined, { authorization: token });

describeEachDialect(
  "login history",
  (h) => {
    let token = "";
    let t0 = 0;
    let other = { appId: "", appSecret: "" };
    it("setup: failed and successful sign-ins in two apps", async () => {
      await signUpByEmail(h(), "xena@example.com", "xena-pw-123");
      other = await createApp(h(), "client_secret_post", { appLogo: "https://cdn.example.com/logo.png" });
      t0 = clock.now();
      await signInByPassword(
        h(),
        { email: "xena@example.com", password: "wrong" },
        {},
        { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile Safari/604.1" },
      );
      clock.advance(1000);
      await h().api(
        "POST",
        "/api/v3/signin",
        {
          connection: "PASSWORD",
          passwordPayload: { email: "xena@example.com", password: "xena-pw-123" },
          client_id: other.appId,
          client_secret: other.appSecret,
          options: { clientIp: "203.0.113.77" },
        },
        { "x-authing-app-id": other.appId },
      );
      clock.advance(1000);
      const res = await signInByPassword(h(), { account: "xena@example.com", password: "xena-pw-123" });
      token = res.data.access_token;
    });

    it("lists every attempt newest first with app, IP, user agent, method and outcome", async () => {
      const res = await history(h(), token);
      assert.equal(res.statusCode, 200);
      assert.equal(res.data.totalCount, 3);
      const [latest, middle, oldest] = res.data.list;
      assert.equal(latest.loginMethod, "password:account");
      assert.equal(latest.success, true);
      assert.equal(latest.appId, h().boot.appId);
      assert.equal(latest.appName, "Default application");
      assert.equal(middle.appId, other.appId);
      assert.equal(middle.appLogo, "https://cdn.example.com/logo.png");
      assert.equal(middle.clientIp, "203.0.113.77");
      assert.equal(oldest.success, false);
      assert.equal(oldest.errorMessage, "wrong_password");
      assert.equal(oldest.loginMethod, "password:email");
      assert.deepEqual(oldest.parsedUserAgent, { device: "mobile", name: "Safari", os: "iOS" });
      assert.equal(oldest.loginAt, new Date(t0).toISOString());
      assert.equal(typeof oldest.geoip.city_name, "string");
    });

    it("filters by app, IP, success and time, and pages", async () => {
      assert.equal((await history(h(), token, `?appId=${other.appId}`)).data.totalCount, 1);
      assert.equal((await history(h(), token, "?clientIp=203.0.113.77")).data.totalCount, 1);
      assert.equal((await history(h(), token, "?success=false")).data.totalCount, 1);
      assert.equal((await history(h(), token, "?success=true")).data.totalCount, 2);
      assert.equal((await history(h(), token, `?start=${t0 + 500}&end=${t0 + 1500}`)).data.totalCount, 1);
      const page2 = await history(h(), token, "?page=2&limit=2");
      assert.equal(page2.data.totalCount, 3);
      assert.equal(page2.data.list.length, 1);
      assert.equal(page2.data.list[0].success, false);
    });

    it("limit is at most 50", async () => {
      const res = await history(h(), token, "?limit=51");
      assert.equal(res.statusCode, 400);
    });

    it("another user's attempts are not listed", async () => {
      await signUpByEmail(h(), "yuri@example.com", "yuri-pw-123");
      const yuri = await signInByPassword(h(), { email: "yuri@example.com", password: "yuri-pw-123" });
      const res = await history(h(), yuri.data.access_token);
      assert.equal(res.data.totalCount, 1);
    });

    it("get-my-logged-in-apps lists the apps with an open session as active", async () => {
      const res = await h().api("GET", "/api/v3/get-my-logged-in-apps", undefined, { authorization: token });
      assert.equal(res.statusCode, 200);
      const ids = res.data.map((a: any) => a.appId).sort();
      assert.deepEqual(ids, [h().boot.appId, other.appId].sort());
      for (const app of res.data) {
        assert.equal(app.active, true);
        assert.deepEqual(Object.keys(app).sort(), ["active", "appId", "appLoginUrl", "appLogo", "appName"]);
      }
      const user = await findUserByEmail(h().ctx.repos, h().boot.userPoolId, "xena@example.com");
      await h().ctx.sessions.endUserSessions(h().boot.userPoolId, user?.id ?? "", { appIds: [other.appId] });
      const after = await h().api("GET", "/api/v3/get-my-logged-in-apps", undefined, {
        authorization: token,
      });
      assert.equal(after.data.find((a: any) => a.appId === other.appId).active, false);
    });

    it("needs a signed-in user", async () => {
      const res = await h().api("GET", "/api/v3/get-my-login-history");
      assert.equal(res.apiCode, 2020);
    });
  },
  { clock },
);
