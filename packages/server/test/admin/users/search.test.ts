import assert from "node:assert/strict";
import { before, it } from "node:test";
import { FakeClock } from "../../../src/lib/clock.js";
import { describeEachDialect, type Harness } from "../../helpers/harness.js";
import { mgmt } from "../../helpers/management.js";

const list = (h: Harness, body: Record<string, unknown>) => mgmt(h, "POST", "/api/v3/list-users", { body });
const names = (r: any) => r.data.list.map((u: any) => u.username);

describeEachDialect(
  "management list-users",
  (h) => {
    let t0: number;
    before(async () => {
      const clock = h().ctx.clock as FakeClock;
      t0 = clock.now();
      // 12 users created one minute apart: u01 … u12; every third suspended; even ones have a phone.
      for (let i = 1; i <= 12; i++) {
        const n = String(i).padStart(2, "0");
        const body: Record<string, unknown> = {
          username: `u${n}`,
          email: `user${n}@${i % 2 ? "odd" : "even"}.example`,
          name: i === 5 ? "Zoë 100% O'Brien_x" : `Name ${n}`,
          status: i % 3 === 0 ? "Suspended" : "Activated",
        };
        if (i % 2 === 0) body.phone = `1380013${String(8000 + i)}`;
        const r = await mgmt(h(), "POST", "/api/v3/create-user", { body });
        assert.equal(r.statusCode, 200, JSON.stringify(r));
        clock.advance(60_000);
      }
    });

    it("defaults: newest first, 10 per page, with the total count", async () => {
      const r = await list(h(), {});
      assert.equal(r.data.totalCount, 12);
      assert.equal(r.data.list.length, 10);
      assert.equal(names(r)[0], "u12");
    });

    it("pagination: page 2 of 5 holds the next five", async () => {
      const r = await list(h(), {
        options: { pagination: { page: 2, limit: 5 }, sort: [{ field: "username", order: "asc" }] },
      });
      assert.deepEqual(names(r), ["u06", "u07", "u08", "u09", "u10"]);
      assert.equal(r.data.totalCount, 12);
    });

    it("a page larger than 50 is refused with 400", async () => {
      const r = await list(h(), { options: { pagination: { limit: 51 } } });
      assert.equal(r.statusCode, 400);
    });

    it("keywords match a substring of the default fuzzy fields, case-insensitively", async () => {
      assert.deepEqual(names(await list(h(), { keywords: "USER07" })), ["u07"]);
      const even = await list(h(), { keywords: "even.example", options: { pagination: { limit: 50 } } });
      assert.equal(even.data.totalCount, 6);
    });

    it("keywords are literal: % and _ match themselves", async () => {
      assert.deepEqual(names(await list(h(), { keywords: "100%" })), ["u05"]);
      assert.deepEqual(names(await list(h(), { keywords: "n_x" })), ["u05"]);
      assert.equal((await list(h(), { keywords: "%" })).data.totalCount, 1);
    });

    it("fuzzySearchOn narrows the fields keywords look at", async () => {
      const r = await list(h(), { keywords: "name 0", options: { fuzzySearchOn: ["username"] } });
      assert.equal(r.data.totalCount, 0);
      const byName = await list(h(), { keywords: "name 0", options: { fuzzySearchOn: ["name"] } });
      assert.equal(byName.data.totalCount, 8, "Name 01 … Name 09 but u05, whose name differs");
    });

    it("advancedFilter EQUAL / NOT_EQUAL on status", async () => {
      const s = await list(h(), {
        advancedFilter: [{ field: "status", operator: "EQUAL", value: "Suspended" }],
      });
      assert.equal(s.data.totalCount, 4);
      const a = await list(h(), {
        advancedFilter: [{ field: "status", operator: "NOT_EQUAL", value: "Suspended" }],
      });
      assert.equal(a.data.totalCount, 8);
    });

    it("advancedFilter CONTAINS / NOT_CONTAINS on email, IN on username", async () => {
      const c = await list(h(), { advancedFilter: [{ field: "email", operator: "CONTAINS", value: "ODD" }] });
      assert.equal(c.data.totalCount, 6);
      const n = await list(h(), {
        advancedFilter: [{ field: "email", operator: "NOT_CONTAINS", value: "odd" }],
      });
      assert.equal(n.data.totalCount, 6);
      const i = await list(h(), {
        advancedFilter: [{ field: "username", operator: "IN", value: ["u01", "U02", "nope"] }],
        options: { sort: [{ field: "username", order: "asc" }] },
      });
      assert.deepEqual(names(i), ["u01", "u02"]);
    });

    it("advancedFilter IS_NULL / NOT_NULL on phone, EQUAL on phone in any spelling", async () => {
      assert.equal(
        (await list(h(), { advancedFilter: [{ field: "phone", operator: "IS_NULL" }] })).data.totalCount,
        6,
      );
      assert.equal(
        (await list(h(), { advancedFilter: [{ field: "phone", operator: "NOT_NULL" }] })).data.totalCount,
        6,
      );
      const p = await list(h(), {
        advancedFilter: [{ field: "phone", operator: "EQUAL", value: "+86 138 0013 8004" }],
      });
      assert.deepEqual(names(p), ["u04"]);
    });

    it("advancedFilter GREATER / LESSER / BETWEEN on createdAt (epoch ms or ISO)", async () => {
      const after = await list(h(), {
        advancedFilter: [{ field: "createdAt", operator: "GREATER", value: t0 + 9 * 60_000 }],
        options: { sort: [{ field: "createdAt", order: "asc" }] },
      });
      assert.deepEqual(names(after), ["u11", "u12"]);
      const before = await list(h(), {
        advancedFilter: [
          { field: "createdAt", operator: "LESSER", value: new Date(t0 + 60_000).toISOString() },
        ],
      });
      assert.deepEqual(names(before), ["u01"]);
      const between = await list(h(), {
        advancedFilter: [
          { field: "createdAt", operator: "BETWEEN", value: [t0 + 2 * 60_000, t0 + 4 * 60_000] },
        ],
        options: { sort: [{ field: "createdAt", order: "asc" }] },
      });
      assert.deepEqual(names(between), ["u03", "u04", "u05"]);
    });

    it("filters combine with AND, and with keywords", async () => {
      const r = await list(h(), {
        keywords: "odd",
        advancedFilter: [
          { field: "status", operator: "EQUAL", value: "Suspended" },
          { field: "emailVerified", operator: "EQUAL", value: false },
        ],
        options: { sort: [{ field: "username", order: "asc" }] },
      });
      assert.deepEqual(names(r), ["u03", "u09"]);
    });

    it("an unknown filter field, a wrong value type or a bad BETWEEN is refused with 400", async () => {
      assert.equal(
        (await list(h(), { advancedFilter: [{ field: "password", operator: "IS_NULL" }] })).statusCode,
        400,
      );
      assert.equal(
        (await list(h(), { advancedFilter: [{ field: "loginsCount", operator: "GREATER", value: "many" }] }))
          .statusCode,
        400,
      );
      assert.equal(
        (await list(h(), { advancedFilter: [{ field: "createdAt", operator: "BETWEEN", value: [1] }] }))
          .statusCode,
        400,
      );
      assert.equal(
        (await list(h(), { advancedFilter: [{ field: "email", operator: "LIKE", value: "x" }] })).statusCode,
        400,
      );
      assert.equal(
        (await list(h(), { options: { sort: [{ field: "password", order: "asc" }] } })).statusCode,
        400,
      );
    });

    it("the legacy GET list-users pages by status and updatedAt window (unix seconds)", async () => {
      const r = await mgmt(h(), "GET", "/api/v3/list-users", {
        params: { page: 1, limit: 3, status: "Activated", withCustomData: false },
      });
      assert.equal(r.statusCode, 200, JSON.stringify(r));
      assert.equal(r.data.totalCount, 8);
      assert.equal(r.data.list.length, 3);
      const window = await mgmt(h(), "GET", "/api/v3/list-users", {
        params: {
          updatedAtStart: Math.floor((t0 + 10 * 60_000) / 1000),
          updatedAtEnd: Math.floor((t0 + 11 * 60_000) / 1000),
        },
      });
      assert.deepEqual(names(window).sort(), ["u11", "u12"]);
      const big = await mgmt(h(), "GET", "/api/v3/list-users", { params: { limit: 51 } });
      assert.equal(big.statusCode, 400);
    });

    it("withIdentities and withCustomData fill every listed user", async () => {
      const r = await list(h(), { keywords: "u01", options: { withIdentities: true, withCustomData: true } });
      assert.deepEqual(r.data.list[0].identities, []);
      assert.deepEqual(r.data.list[0].customData, {});
    });
  },
  { clock: new FakeClock(Date.UTC(2026, 5, 1)) },
);
