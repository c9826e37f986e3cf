import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, it } from "node:test";
import { findUserByUsername } from "../../src/services/users/identifiers.js";
import { signedInUser, signInByPassword } from "../helpers/auth.js";
import { cli } from "../helpers/cli.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/**
 * Usernames every way of writing a user refuses: each answers 400 and creates nothing. Two are
 * refused before the identifier rules run, alike on every route: NUL by the input guard (no
 * database stores it), more than 128 characters by the request schema.
 */
const refused: [string, string][] = [
  ["a NUL", "bad\u0000name"],
  ["a tab", "tab\tname"],
  ["a line break", "line\nbreak"],
  ["an escape", "esc\u001b[31m"],
  ["a DEL", "del\u007fname"],
  ["a C0 control", "bell\u0007name"],
  ["a C1 control", "csi\u009b31mname"],
  ["a bidi override", "admin\u202egnp.exe"],
  ["a bidi isolate", "iso\u2066name\u2069"],
  ["an inner space", "john doe"],
  ["mixed scripts", "\u0430dmin"],
  ["too long", "x".repeat(129)],
];
const beforeTheRules = new Set(["a NUL", "too long"]);
/** Refused by sign-up and sign-in; create-user reads a blank username as none given (update-user: "clear it"). */
const blank: [string, string][] = [
  ["empty", ""],
  ["only spaces", "   "],
];

/** Usernames every way accepts, as typed (made unique per endpoint by `tag`) and as stored. */
const accepted: [string, (tag: string) => { typed: string; stored: string }][] = [
  ["plain", (t) => ({ typed: `alice_${t}`, stored: `alice_${t}` })],
  ["padded with spaces", (t) => ({ typed: `  padded_${t}  `, stored: `padded_${t}` })],
  ["decomposed", (t) => ({ typed: `E\u0301mile_${t}`, stored: `Émile_${t}` })],
  ["non-Latin", (t) => ({ typed: `名字${t}`, stored: `名字${t}` })],
  ["128 characters", (t) => ({ typed: `${"a".repeat(127)}${t}`, stored: `${"a".repeat(127)}${t}` })],
];

const signUp = (h: Harness, username: string) =>
  h.api("POST", "/api/v3/signup", {
    connection: "PASSWORD",
    passwordPayload: { username, password: "pw-rules-1" },
  });
// In English: the refusals below are matched by the words they name.
const english = { "x-authing-lang": "en-US" };
const createUser = (h: Harness, username: string) =>
  mgmt(h, "POST", "/api/v3/create-user", { body: { username }, headers: english });
const updateUser = (h: Harness, userId: string, username: string) =>
  mgmt(h, "POST", "/api/v3/update-user", { body: { userId, username }, headers: english });
const updateProfile = (h: Harness, token: string, username: string) =>
  h.api("POST", "/api/v3/update-profile", { username }, { authorization: token });
const autoRegister = (h: Harness, username: string) =>
  signInByPassword(h, { username, password: "pw-rules-1" }, { autoRegister: true });

function assertRefused(res: any, why: string) {
  assert.equal(res.statusCode, 400, `${why}: ${JSON.stringify(res)}`);
  assert.match(res.message, why.endsWith("a NUL") ? /NUL/ : /username/i, why);
}

describeEachDialect("identifier rules: one username rule for every way a user is written", (h) => {
  const count = () => h().ctx.repos.users.countUsers(h().boot.userPoolId);
  let target: string;
  let self: { userId: string; access_token: string };
  before(async () => {
    const r = await mgmt(h(), "POST", "/api/v3/create-user", { body: { email: "rules-target@example.com" } });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    target = r.data.userId;
    self = await signedInUser(h(), "rules-self@example.com");
  });

  it("sign-up, sign-in's auto-registration and create-user refuse the same usernames with 400", async () => {
    const before = await count();
    for (const [why, username] of [...refused, ...blank]) {
      assertRefused(await signUp(h(), username), `sign-up, ${why}`);
      assertRefused(await autoRegister(h(), username), `sign-in autoRegister, ${why}`);
      // A blank username is no identifier: 400 USER_IDENTIFIER_REQUIRED names the three.
      assertRefused(await createUser(h(), username), `create-user, ${why}`);
    }
    assert.equal(await count(), before);
  });

  it("create-users-batch refuses them too, naming the item, and creates none of the list", async () => {
    const before = await count();
    for (const [why, username] of refused) {
      const r = await mgmt(h(), "POST", "/api/v3/create-users-batch", {
        body: { list: [{ username: `batch-ok-${why.replace(/\W/g, "")}` }, { username }] },
        headers: english,
      });
      assertRefused(r, `create-users-batch, ${why}`);
      if (!beforeTheRules.has(why)) assert.match(r.message, /^list\[1\]: /, why);
    }
    assert.equal(await count(), before);
  });

  it("update-user refuses the same usernames and leaves the user's username as it was", async () => {
    const set = await updateUser(h(), target, "rules-target");
    assert.equal(set.statusCode, 200, JSON.stringify(set));
    for (const [why, username] of refused) {
      assertRefused(await updateUser(h(), target, username), `update-user, ${why}`);
    }
    const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, target);
    assert.equal(row?.username, "rules-target");
  });

  it("update-profile (the user's own change) refuses them as well", async () => {
    for (const [why, username] of refused) {
      assertRefused(await updateProfile(h(), self.access_token, username), `update-profile, ${why}`);
    }
    const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, self.userId);
    assert.equal(row?.username, null);
  });

  it("gatehouse user import rejects the same usernames (and blank ones), row by row", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-rules-import-"));
    try {
      const file = path.join(dir, "users.jsonl");
      const rows = [...refused, ...blank];
      fs.writeFileSync(file, rows.map(([, username]) => JSON.stringify({ username })).join("\n"));
      const before = await count();
      const r = await cli(h().ctx.config, "user", "import", file, "--json", "--no-progress");
      const summary = JSON.parse(r.out);
      assert.deepEqual([summary.accepted, summary.rejected], [0, rows.length], r.out);
      assert.equal(await count(), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("all of them accept the same usernames and store them trimmed", async () => {
    for (const [why, make] of accepted) {
      const up = make("s");
      const r1 = await signUp(h(), up.typed);
      assert.equal(r1.statusCode, 200, `sign-up, ${why}: ${JSON.stringify(r1)}`);
      assert.equal(r1.data.username, up.stored, `sign-up, ${why}`);

      const auto = make("r");
      const r2 = await autoRegister(h(), auto.typed);
      assert.equal(r2.statusCode, 200, `sign-in autoRegister, ${why}: ${JSON.stringify(r2)}`);
      const registered = await findUserByUsername(h().ctx.repos, h().boot.userPoolId, auto.stored);
      assert.equal(registered?.username, auto.stored, `sign-in autoRegister, ${why}`);

      const created = make("c");
      const r3 = await createUser(h(), created.typed);
      assert.equal(r3.statusCode, 200, `create-user, ${why}: ${JSON.stringify(r3)}`);
      assert.equal(r3.data.username, created.stored, `create-user, ${why}`);

      const updated = make("u");
      const r4 = await updateUser(h(), target, updated.typed);
      assert.equal(r4.statusCode, 200, `update-user, ${why}: ${JSON.stringify(r4)}`);
      assert.equal(r4.data.username, updated.stored, `update-user, ${why}`);

      const own = make("p");
      const r5 = await updateProfile(h(), self.access_token, own.typed);
      assert.equal(r5.statusCode, 200, `update-profile, ${why}: ${JSON.stringify(r5)}`);
      assert.equal(r5.data.username, own.stored, `update-profile, ${why}`);
    }
  });

  it("create-user: an external identity already linked to a user → 409/2026 naming the identity", async () => {
    const identity = { extIdpId: "idp-rules", provider: "github", type: "openid", userIdInIdp: "gh-rules" };
    const linked = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { username: "rules-linked-2", identities: [identity] },
    });
    assert.equal(linked.statusCode, 200, JSON.stringify(linked));
    // No early check looks at identities: the unique index answers, translated once.
    const again = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { username: "rules-linked-3", identities: [identity] },
    });
    assert.deepEqual([again.statusCode, again.apiCode], [409, 2026]);
    assert.match(again.message, /该身份（extIdpId, userIdInIdp）已关联/);
  });
});
