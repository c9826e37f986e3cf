import assert from "node:assert/strict";
import { it } from "node:test";
import { newId, newSecret } from "../../../src/lib/ids.js";
import { defaultAppConfig } from "../../../src/services/admin/bootstrap.js";
import { describeEachDialect, type Harness } from "../../helpers/harness.js";
import { createOtherPool, mgmt } from "../../helpers/management.js";

/**
 * A pool's `customPasswordStrength.regex` runs in a linear-time engine (RE2), so one pool's
 * pattern cannot stall the server for every other pool (docs/behaviour-and-errors.md §4.1).
 */

/** Catastrophic for a backtracking engine: each extra character doubles V8's work. */
const EVIL = "^([a-zA-Z0-9]+)*$";

async function poolBApp(h: Harness): Promise<string> {
  const pool = await createOtherPool(h);
  const now = h.ctx.clock.now();
  const id = newId();
  await h.ctx.repos.applications.insertApplication({
    id,
    pool_id: pool.id,
    name: "pool B app",
    identifier: `b-${id}`,
    secret: h.ctx.keys.box.seal("app-secret", id, newSecret()),
    app_type: "web",
    token_endpoint_auth_method: "client_secret_post",
    config: JSON.stringify(defaultAppConfig()),
    created_at: now,
    updated_at: now,
  });
  return id;
}

const signUp = (h: Harness, email: string, password: string, appId?: string) =>
  h.api(
    "POST",
    "/api/v3/signup",
    { connection: "PASSWORD", passwordPayload: { email, password } },
    appId ? { "x-authing-app-id": appId } : {},
  );

async function setRule(h: Harness, regex: string) {
  return mgmt(h, "POST", "/api/v3/update-security-settings", {
    body: { passwordStrength: 4, customPasswordStrength: { regex, message: "letters and digits only" } },
  });
}

describeEachDialect("custom password regex", (h) => {
  let appB = "";
  it("setup: pool A (the default pool) takes the evil pattern; pool B is another pool", async () => {
    const r = await setRule(h(), EVIL);
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    appB = await poolBApp(h());
  });

  it("a 34-character password against pool A's evil pattern answers the policy's error, and pool B answers meanwhile", async () => {
    // V8's backtracking engine needs about 2^n steps here: at 34 characters a minute or more of
    // one blocked event loop (at 40, over an hour), during which no other request is answered.
    // RE2 reads the input once. The bound below is generous on purpose: pool B's sign-up (one
    // argon2 hash) must answer within 2 s while pool A's request is in flight; with backtracking
    // it would come back only after pool A's minute.
    const evilPassword = `${"a".repeat(33)}!`;
    const started = Date.now();
    const a = signUp(h(), "evil@example.com", evilPassword);
    const b = signUp(h(), "bystander@example.com", "bystander-pw-1", appB).then((r) => ({
      r,
      ms: Date.now() - started,
    }));
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.statusCode, 400, JSON.stringify(ra));
    assert.equal(ra.apiCode, 2061);
    assert.equal(ra.message, "letters and digits only");
    assert.equal(rb.r.statusCode, 200, JSON.stringify(rb.r));
    assert.ok(rb.ms < 2000, `pool B answered after ${rb.ms} ms`);
  });

  it("the pattern still decides: a matching password is accepted, the longest a request carries too", async () => {
    assert.equal((await signUp(h(), "ok@example.com", "abcDEF123")).statusCode, 200);
    const long = await signUp(h(), "long@example.com", `${"a".repeat(2047)}!`);
    assert.equal(long.apiCode, 2061, JSON.stringify(long).slice(0, 300));
  });

  it("a pattern the linear engine cannot run (backreference, lookaround) is refused when it is set", async () => {
    for (const regex of ["^(a)\\1$", "^(?=.*\\d).{8,}$", "(?<!x)y", "(?!a)b"]) {
      const r = await setRule(h(), regex);
      assert.equal(r.statusCode, 400, `${regex}: ${JSON.stringify(r)}`);
      assert.match(r.message, /customPasswordStrength\.regex/);
      assert.match(r.message, /线性时间引擎/);
    }
    const s = (await mgmt(h(), "GET", "/api/v3/get-security-settings")).data;
    assert.equal(s.customPasswordStrength.regex, EVIL, "nothing changed");
  });

  it("a stored pattern the linear engine cannot run fails closed at sign-up", async () => {
    const pool = await h().ctx.repos.pools.findPoolById(h().boot.userPoolId);
    const settings = JSON.parse(pool!.settings);
    settings.customPasswordStrength = { regex: "^(?=.*\\d).{8,}$", message: "" };
    await h().ctx.repos.pools.updatePoolSettings(pool!.id, JSON.stringify(settings), h().ctx.clock.now());
    const r = await signUp(h(), "closed@example.com", "abcdefgh1");
    assert.equal(r.apiCode, 2061, JSON.stringify(r));
    assert.match(r.message, /ask an administrator/);
  });
});
