import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, it } from "node:test";
import bcrypt from "bcryptjs";
import { cli } from "./helpers/cli.js";
import { describeEachDialect } from "./helpers/harness.js";
import { mgmt } from "./helpers/management.js";

const ROWS = 100_000;
const PASSWORDS = ["first-secret-1", "second-secret-2", "third-secret-3"];

describeEachDialect("user import: 100,000 rows", (h) => {
  let dir: string;
  let file: string;
  let hashes: string[];

  before(async () => {
    // bcrypt is slow to compute: three real hashes, reused across the rows.
    hashes = PASSWORDS.map((p) => bcrypt.hashSync(p, 10));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gh-import-100k-"));
    file = path.join(dir, "users.csv");
    const out = fs.createWriteStream(file);
    out.write("email,username,phone,name,passwordHash,emailVerified\n");
    for (let i = 0; i < ROWS; i++) {
      let phone = i % 10 === 0 ? `138${String(i).padStart(8, "0")}` : "";
      let email = `user${i}@example.com`;
      if (i % 20_000 === 7) phone = "123"; // 5 invalid phones
      if (i % 25_000 === 11) email = `user${i - 1}@example.com`; // 4 duplicates of the row before
      out.write(`${email},user${i},${phone},"Imported, No. ${i}",${hashes[i % 3]},true\n`);
    }
    await new Promise<void>((resolve) => out.end(resolve));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("imports every valid row with a progress bar and reports the rest with reasons", async () => {
    const r = await cli(h().ctx.config, "user", "import", file, "--json");
    const summary = JSON.parse(r.out);
    assert.equal(summary.rows, ROWS);
    assert.equal(summary.accepted, ROWS - 9);
    assert.deepEqual(summary.rejectedByReason, { INVALID_PHONE: 5, EMAIL_TAKEN: 4 });
    assert.match(r.err, /\[█+\] 100\.0%\s+100,000 rows \(99,991 ok, 9 rejected\)\s+[\d,]+ rows\/s\s+ETA 0s/);
    assert.equal(await h().ctx.repos.countUsers(h().boot.userPoolId), ROWS - 9);
    const list = await mgmt(h(), "POST", "/api/v3/list-users", { body: {} });
    assert.equal(list.data.totalCount, ROWS - 9);
  });

  it("imported rows keep their fields and their bcrypt hash, which verifies the original password", async () => {
    for (const i of [0, 1, 2, 54_321, ROWS - 1]) {
      const u = await mgmt(h(), "GET", "/api/v3/get-user", {
        params: { userId: `user${i}`, userIdType: "username" },
      });
      assert.equal(u.data.email, `user${i}@example.com`);
      assert.equal(u.data.name, `Imported, No. ${i}`);
      assert.equal(u.data.emailVerified, true);
      assert.equal(u.data.userSourceType, "excel");
      const row = await h().ctx.repos.findUserById(h().boot.userPoolId, u.data.userId);
      assert.equal(row?.password_hash, hashes[i % 3]);
      assert.ok(await bcrypt.compare(PASSWORDS[i % 3]!, row!.password_hash!));
    }
    const withPhone = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: "13800054320", userIdType: "phone" },
    });
    assert.equal(withPhone.data.username, "user54320");
  });
});
