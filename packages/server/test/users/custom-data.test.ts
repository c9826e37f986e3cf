import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, it } from "node:test";
import { findUserByEmail, findUserByUsername } from "../../src/services/users/identifiers.js";
import { signedInUser, signInByCode, signInByPassword } from "../helpers/auth.js";
import { cli } from "../helpers/cli.js";
import { freshEmail, freshPhone, sendEmailCode, sendSmsCode } from "../helpers/codes.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/**
 * Who may write customData and externalId (docs/behaviour-and-errors.md §2.11): a user writes only
 * the custom fields the administrator made userEditable, with values of the field's type, on
 * every self-service path; an administrator writes any defined field; externalId is the
 * administrator's alone. A refused write answers the same envelope on every path and creates
 * or changes nothing.
 */

/** The attacker's customData: an admin-only field, a wrong type, a key that is no field at all. */
const ATTACKS: [string, Record<string, unknown>, number, number | undefined][] = [
  ["an admin-only field", { role: "admin" }, 403, 2018],
  ["a field of another type", { isStaff: 1 }, 400, undefined],
  ["a key that is no custom field", { notAField: { nested: true } }, 400, undefined],
];

const signUpByPassword = (h: Harness, email: string, profile: object) =>
  h.api("POST", "/api/v3/signup", {
    connection: "PASSWORD",
    passwordPayload: { email, password: "pw-custom-1" },
    profile,
  });

function assertRefused(res: any, status: number, apiCode: number | undefined, why: string) {
  assert.equal(res.statusCode, status, `${why}: ${JSON.stringify(res)}`);
  assert.equal(res.apiCode, apiCode, why);
  assert.match(res.message, /customData\./, why);
}

describeEachDialect("custom data and externalId: who may write them", (h) => {
  const poolId = () => h().boot.userPoolId;
  const count = () => h().ctx.repos.users.countUsers(poolId());

  before(async () => {
    const r = await mgmt(h(), "POST", "/api/v3/set-custom-fields", {
      body: {
        list: [
          { targetType: "USER", key: "role", dataType: "STRING", userEditable: false },
          { targetType: "USER", key: "isStaff", dataType: "BOOLEAN", userEditable: true },
          { targetType: "USER", key: "team", dataType: "STRING", userEditable: true },
        ],
      },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
  });

  it("sign-up by password: customData with an admin-only field, a wrong type or an unknown key is refused and creates no user", async () => {
    const before = await count();
    for (const [why, customData, status, apiCode] of ATTACKS) {
      const email = freshEmail("cd-up");
      assertRefused(await signUpByPassword(h(), email, { customData }), status, apiCode, why);
      assert.equal(await findUserByEmail(h().ctx.repos, poolId(), email), undefined, why);
    }
    assert.equal(await count(), before);
  });

  it("sign-up by password: user-editable fields of the right type are stored", async () => {
    const r = await signUpByPassword(h(), freshEmail("cd-up"), {
      customData: { team: "red", isStaff: false },
    });
    assert.equal(r.statusCode, 200, JSON.stringify(r));
    const row = await h().ctx.repos.users.findUserById(poolId(), r.data.userId);
    assert.deepEqual(JSON.parse(row?.custom_data ?? "null"), { team: "red", isStaff: false });
  });

  it("sign-up by phone code and by email code: the same refusal, and the code stays usable", async () => {
    for (const [why, customData, status, apiCode] of ATTACKS) {
      const phone = freshPhone();
      const smsCode = await sendSmsCode(h(), phone, "CHANNEL_REGISTER");
      const byPhone = await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: { phone, passCode: smsCode },
        profile: { customData },
      });
      assertRefused(byPhone, status, apiCode, `phone code, ${why}`);
      const retry = await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: { phone, passCode: smsCode },
      });
      assert.equal(
        retry.statusCode,
        200,
        `the refused sign-up did not spend the code: ${JSON.stringify(retry)}`,
      );

      const email = freshEmail("cd-code");
      const mailCode = await sendEmailCode(h(), email, "CHANNEL_REGISTER");
      const byEmail = await h().api("POST", "/api/v3/signup", {
        connection: "PASSCODE",
        passCodePayload: { email, passCode: mailCode },
        profile: { customData },
      });
      assertRefused(byEmail, status, apiCode, `email code, ${why}`);
      assert.equal(await findUserByEmail(h().ctx.repos, poolId(), email), undefined, why);
    }
  });

  it("sign-in by code with autoRegister: options.customData follows the user's rule; refused, no account and the code unspent", async () => {
    for (const [why, customData, status, apiCode] of ATTACKS) {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const r = await signInByCode(h(), { phone, passCode: code }, { autoRegister: true, customData });
      assertRefused(r, status, apiCode, `passcode autoRegister, ${why}`);
      assert.equal(await h().ctx.repos.users.findUserByPhone(poolId(), `+86${phone}`), undefined, why);
      const plain = await signInByCode(h(), { phone, passCode: code }, { autoRegister: true });
      assert.equal(plain.statusCode, 200, `the code is still good: ${JSON.stringify(plain)}`);
    }
    const phone = freshPhone();
    const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
    const ok = await signInByCode(
      h(),
      { phone, passCode: code },
      { autoRegister: true, customData: { team: "blue" } },
    );
    assert.equal(ok.statusCode, 200, JSON.stringify(ok));
    const row = await h().ctx.repos.users.findUserByPhone(poolId(), `+86${phone}`);
    assert.deepEqual(JSON.parse(row?.custom_data ?? "null"), { team: "blue" });
  });

  it("sign-in by password with autoRegister: options.customData follows the user's rule", async () => {
    for (const [why, customData, status, apiCode] of ATTACKS) {
      const email = freshEmail("cd-auto");
      const r = await signInByPassword(
        h(),
        { email, password: "pw-custom-1" },
        { autoRegister: true, customData },
      );
      assertRefused(r, status, apiCode, `password autoRegister, ${why}`);
      assert.equal(await findUserByEmail(h().ctx.repos, poolId(), email), undefined, why);
    }
    const email = freshEmail("cd-auto");
    const ok = await signInByPassword(
      h(),
      { email, password: "pw-custom-1" },
      { autoRegister: true, customData: { team: "green" } },
    );
    assert.equal(ok.statusCode, 200, JSON.stringify(ok));
    const row = await findUserByEmail(h().ctx.repos, poolId(), email);
    assert.deepEqual(JSON.parse(row?.custom_data ?? "null"), { team: "green" });
  });

  it("update-profile: the same three writes are refused with the same envelopes", async () => {
    const me = await signedInUser(h(), freshEmail("cd-profile"));
    for (const [why, customData, status, apiCode] of ATTACKS) {
      const r = await h().api(
        "POST",
        "/api/v3/update-profile",
        { customData },
        { authorization: me.access_token },
      );
      assertRefused(r, status, apiCode, `update-profile, ${why}`);
    }
    const row = await h().ctx.repos.users.findUserById(poolId(), me.userId);
    assert.equal(row?.custom_data, null);
  });

  it("an administrator writes admin-only fields (create-user, update-user) but not unknown keys or wrong types", async () => {
    const created = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { email: freshEmail("cd-admin"), customData: { role: "admin" } },
    });
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    const updated = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: created.data.userId, customData: { role: "auditor" } },
    });
    assert.equal(updated.statusCode, 200, JSON.stringify(updated));
    for (const [why, customData, ,] of ATTACKS.slice(1)) {
      const r = await mgmt(h(), "POST", "/api/v3/create-user", {
        body: { email: freshEmail("cd-admin"), customData },
      });
      assertRefused(r, 400, undefined, `create-user, ${why}`);
      const u = await mgmt(h(), "POST", "/api/v3/update-user", {
        body: { userId: created.data.userId, customData },
      });
      assertRefused(u, 400, undefined, `update-user, ${why}`);
    }
    const row = await h().ctx.repos.users.findUserById(poolId(), created.data.userId);
    assert.deepEqual(JSON.parse(row?.custom_data ?? "null"), { role: "auditor" });
  });

  it("gatehouse user import: admin-only fields are imported; unknown keys and wrong types are rejected rows", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-cd-import-"));
    try {
      const file = path.join(dir, "users.jsonl");
      fs.writeFileSync(
        file,
        [
          JSON.stringify({ username: "cd-imp-ok", customData: { role: "admin" } }),
          JSON.stringify({ username: "cd-imp-type", customData: { isStaff: "perhaps" } }),
          JSON.stringify({ username: "cd-imp-key", customData: { notAField: { nested: true } } }),
        ].join("\n"),
      );
      const r = await cli(h().ctx.config, "user", "import", file, "--json", "--no-progress");
      const summary = JSON.parse(r.out);
      assert.deepEqual([summary.accepted, summary.rejected], [1, 2], r.out);
      assert.deepEqual(summary.rejectedByReason, { CUSTOM_DATA_INVALID: 2 });
      const ok = await findUserByUsername(h().ctx.repos, poolId(), "cd-imp-ok");
      assert.deepEqual(JSON.parse(ok?.custom_data ?? "null"), { role: "admin" });
      assert.equal(await findUserByUsername(h().ctx.repos, poolId(), "cd-imp-type"), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("update-profile: externalId is the administrator's field — refused, nothing changes", async () => {
    const me = await signedInUser(h(), freshEmail("ext-profile"));
    const r = await h().api(
      "POST",
      "/api/v3/update-profile",
      { nickname: "squatter", externalId: "hr-0001" },
      { authorization: me.access_token },
    );
    assert.equal(r.statusCode, 403, JSON.stringify(r));
    assert.match(r.message, /externalId/);
    const row = await h().ctx.repos.users.findUserById(poolId(), me.userId);
    assert.deepEqual([row?.external_id, row?.nickname], [null, null]);
  });

  it("sign-up: profile.externalId is refused and creates no user", async () => {
    const email = freshEmail("ext-up");
    const r = await signUpByPassword(h(), email, { externalId: "hr-0002" });
    assert.equal(r.statusCode, 403, JSON.stringify(r));
    assert.match(r.message, /externalId/);
    assert.equal(await findUserByEmail(h().ctx.repos, poolId(), email), undefined);
  });

  it("sign-in with autoRegister: options.externalId is refused and creates no user", async () => {
    const email = freshEmail("ext-auto");
    const r = await signInByPassword(
      h(),
      { email, password: "pw-custom-1" },
      { autoRegister: true, externalId: "hr-0003" },
    );
    assert.equal(r.statusCode, 403, JSON.stringify(r));
    assert.match(r.message, /externalId/);
    assert.equal(await findUserByEmail(h().ctx.repos, poolId(), email), undefined);
  });

  it("an administrator still sets externalId: create-user, update-user, import", async () => {
    const created = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { email: freshEmail("ext-admin"), externalId: "hr-1001" },
    });
    assert.equal(created.data.externalId, "hr-1001", JSON.stringify(created));
    const updated = await mgmt(h(), "POST", "/api/v3/update-user", {
      body: { userId: created.data.userId, externalId: "hr-1002" },
    });
    assert.equal(updated.data.externalId, "hr-1002", JSON.stringify(updated));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-ext-import-"));
    try {
      const file = path.join(dir, "users.jsonl");
      fs.writeFileSync(file, JSON.stringify({ username: "ext-imp", externalId: "hr-1003" }));
      const r = await cli(h().ctx.config, "user", "import", file, "--json", "--no-progress");
      assert.equal(JSON.parse(r.out).accepted, 1, r.out);
      const row = await findUserByUsername(h().ctx.repos, poolId(), "ext-imp");
      assert.equal(row?.external_id, "hr-1003");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
