import assert from "node:assert/strict";
import { it } from "node:test";
import { newId } from "../../src/lib/ids.js";
import { findUserByEmail, newUserRow, withIdentifierKeys } from "../../src/services/users/identifiers.js";
import type { NewUserRow } from "../../src/storage/repos/users.js";
import { type UniqueViolation, uniqueViolation } from "../../src/storage/unique-violation.js";
import { describeEachDialect } from "../helpers/harness.js";

/** The violation a failing write raised (fails the test when it did not fail). */
async function violationOf(write: () => Promise<unknown>): Promise<UniqueViolation | undefined> {
  try {
    await write();
  } catch (err) {
    return uniqueViolation(err);
  }
  assert.fail("the write was expected to violate a unique index");
}

describeEachDialect("storage: unique violations told apart", (h) => {
  const pool = () => h().boot.userPoolId;
  const row = (fields: Partial<NewUserRow>) => newUserRow(pool(), Date.now(), fields);
  const insert = (fields: Partial<NewUserRow>) => h().ctx.repos.users.insertUser(row(fields));

  it("names the users identifier column whose per-pool index refused the write", async () => {
    await insert({
      email: "taken@example.com",
      username: "Taken",
      phone: "+8613900139111",
      external_id: "ext-1",
    });
    const cases: [Partial<NewUserRow>, string][] = [
      [{ email: "TAKEN@example.com" }, "email"],
      [{ username: "taken" }, "username"],
      [{ phone: "+8613900139111" }, "phone"],
      [{ external_id: "ext-1" }, "external_id"],
    ];
    for (const [fields, column] of cases) {
      assert.deepEqual(await violationOf(() => insert(fields)), { kind: "user-identifier", column });
    }
    const other = await insert({ email: "free@example.com" }).then(() =>
      findUserByEmail(h().ctx.repos, pool(), "free@example.com"),
    );
    assert.deepEqual(
      await violationOf(() =>
        h().ctx.repos.users.updateUser(pool(), other!.id, withIdentifierKeys({ username: "TAKEN" })),
      ),
      { kind: "user-identifier", column: "username" },
    );
  });

  it("tells an external identity already linked, and anything else as `other`", async () => {
    const user = row({ email: "linked@example.com" });
    await h().ctx.repos.users.insertUser(user);
    const identity = (id: string) => ({
      id,
      pool_id: pool(),
      user_id: user.id as string,
      ext_idp_id: "idp-1",
      provider: "github",
      type: "user_id",
      user_id_in_idp: "gh-42",
      user_info: null,
      origin_conn_ids: "[]",
      created_at: Date.now(),
    });
    await h().ctx.repos.identities.insertIdentity(identity(newId()));
    assert.deepEqual(await violationOf(() => h().ctx.repos.identities.insertIdentity(identity(newId()))), {
      kind: "identity",
    });
    const again = await violationOf(() =>
      h().ctx.repos.users.insertUser({ ...user, ...withIdentifierKeys({ email: "else@example.com" }) }),
    );
    assert.equal(again?.kind, "other");
    assert.equal(uniqueViolation(new Error("not a database error")), undefined);
  });
});
