import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import { jwtHeader, signedInUser } from "../helpers/auth.js";
import { cliWith } from "../helpers/cli.js";
import { describeEachDialect, type Harness } from "../helpers/harness.js";

const clock = new FakeClock(Date.UTC(2026, 5, 1));
const rotate = (h: Harness, ...extra: string[]) => {
  clock.advance(1000); // keys are ordered by creation time
  return cliWith(h.ctx.config, { clock }, "keys", "rotate", "--json", ...extra);
};

/** The server's JWKS once it shows `expected` (a stale node reloads in the background, so poll briefly). */
async function jwksBecomes(h: Harness, expected: string[]): Promise<string[]> {
  let kids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await h.inject({ method: "GET", url: "/oidc/.well-known/jwks.json" });
    kids = res.json().keys.map((k: any) => k.kid);
    if (JSON.stringify(kids) === JSON.stringify(expected)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return kids;
}

async function tokenWorks(h: Harness, token: string): Promise<boolean> {
  const r = await h.api("GET", "/api/v3/get-my-logged-in-apps", undefined, { authorization: token });
  return r.statusCode === 200;
}

describeEachDialect(
  "gatehouse keys rotate",
  (h) => {
    it("a new key becomes current; the old one stays in the JWKS and its tokens keep verifying", async () => {
      const before = await signedInUser(h(), "rot1@example.com");
      const oldKid = jwtHeader(before.access_token).kid;
      const r = await rotate(h());
      assert.equal(r.code, 0, r.err);
      const out = JSON.parse(r.out);
      assert.equal(out.previousKid, oldKid);
      assert.notEqual(out.kid, oldKid);
      clock.advance(61_000); // the running server notices the rotation within a minute
      assert.deepEqual(await jwksBecomes(h(), [out.kid, oldKid]), [out.kid, oldKid]);
      assert.equal(await tokenWorks(h(), before.access_token), true);
      const after = await signedInUser(h(), "rot2@example.com");
      assert.equal(jwtHeader(after.access_token).kid, out.kid);
    });

    it("a second rotation waits until the previous key's tokens have expired, unless forced", async () => {
      const refused = await rotate(h());
      assert.equal(refused.code, 1);
      assert.match(refused.err, /may still sign live tokens until .*--force/);
      clock.advance(2 * 3600_000 + 61_000); // longest token lifetime (2 h) + reload interval
      const ok = await rotate(h());
      assert.equal(ok.code, 0, ok.err);
      const forced = await rotate(h(), "--force");
      assert.equal(forced.code, 0, forced.err);
      const { kid, previousKid, retiredKid } = JSON.parse(forced.out);
      assert.equal(retiredKid, JSON.parse(ok.out).previousKid);
      clock.advance(61_000);
      assert.deepEqual(
        await jwksBecomes(h(), [kid, previousKid]),
        [kid, previousKid],
        "a retired key leaves the JWKS",
      );
    });
  },
  { clock },
);
