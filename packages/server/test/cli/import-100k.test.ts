import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import bcrypt from "bcryptjs";
import { signInByPassword } from "../helpers/auth.js";
import { cli } from "../helpers/cli.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";

/**
 * 100,000 rows on SQLite (the embedded default); the same path on PostgreSQL with 25,000 rows so
 * the suite stays well under a minute on a shared 2-core machine (100,000 there take ~15-20 s).
 */
const ROWS_BY_DIALECT = { sqlite: 100_000, postgres: 25_000 } as const;
const PASSWORDS = ["first-secret-1", "second-secret-2", "third-secret-3"];

describeEachDialect("user import: 100,000 rows", (h) => {
  let ROWS: number;
  let invalid: number;
  let duplicates: number;
  let dir: string;
  let file: string;
  let hashes: string[];

  before(async () => {
    ROWS = ROWS_BY_DIALECT[h().dialect];
    invalid = 0;
    duplicates = 0;
    // bcrypt is slow to compute: three real hashes, reused across the rows.
    hashes = PASSWORDS.map((p) => bcrypt.hashSync(p, 10));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-import-100k-"));
    file = path.join(dir, "users.csv");
    const out = fs.createWriteStream(file);
    out.write("email,username,phone,name,passwordHash,emailVerified\n");
    for (let i = 0; i < ROWS; i++) {
      let phone = i % 10 === 0 ? `138${String(i).padStart(8, "0")}` : "";
      let email = `user${i}@example.com`;
      if (i % 20_000 === 7) {
        phone = "123"; // an invalid phone
        invalid++;
      }
      if (i % 25_000 === 11) {
        email = `user${i - 1}@example.com`; // the row before's email
        duplicates++;
      }
      out.write(`${email},user${i},${phone},"Imported, No. ${i}",${hashes[i % 3]},true\n`);
    }
    await new Promise<void>((resolve) => out.end(resolve));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("imports every valid row with a progress bar and reports the rest with reasons", async () => {
    const r = await cli(h().ctx.config, "user", "import", file, "--json");
    const summary = JSON.parse(r.out);
    assert.equal(summary.rows, ROWS);
    const rejected = invalid + duplicates;
    assert.equal(summary.accepted, ROWS - rejected);
    assert.deepEqual(summary.rejectedByReason, { INVALID_PHONE: invalid, EMAIL_TAKEN: duplicates });
    const n = (x: number) => x.toLocaleString("en-US");
    const finalLine = new RegExp(
      `\\[█+\\] 100\\.0%\\s+${n(ROWS)} rows \\(${n(ROWS - rejected)} ok, ${rejected} rejected\\)\\s+[\\d,]+ rows/s\\s+ETA 0s`,
    );
    assert.match(r.err, finalLine);
    assert.equal(await h().ctx.repos.users.countUsers(h().boot.userPoolId), ROWS - rejected);
    const list = await mgmt(h(), "POST", "/api/v3/list-users", { body: {} });
    assert.equal(list.data.totalCount, ROWS - rejected);
  });

  it("imported rows keep their fields and their bcrypt hash; the users sign in with their old passwords", async () => {
    for (const i of [0, 1, 2, 14_321, ROWS - 1]) {
      const u = await mgmt(h(), "GET", "/api/v3/get-user", {
        params: { userId: `user${i}`, userIdType: "username" },
      });
      assert.equal(u.data.email, `user${i}@example.com`);
      assert.equal(u.data.name, `Imported, No. ${i}`);
      assert.equal(u.data.emailVerified, true);
      assert.equal(u.data.userSourceType, "excel");
      const row = await h().ctx.repos.users.findUserById(h().boot.userPoolId, u.data.userId);
      assert.equal(row?.password_hash, hashes[i % 3]);
      const wrong = await signInByPassword(h(), { username: `user${i}`, password: "not it" });
      assert.equal(wrong.apiCode, 2333);
      const signedIn = await signInByPassword(h(), {
        email: `user${i}@example.com`,
        password: PASSWORDS[i % 3]!,
      });
      assert.equal(signedIn.statusCode, 200, JSON.stringify(signedIn));
    }
    const withPhone = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: "13800014320", userIdType: "phone" },
    });
    assert.equal(withPhone.data?.username, "user14320", JSON.stringify(withPhone));
  });
});
