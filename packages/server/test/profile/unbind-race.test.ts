import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../../src/lib/clock.js";
import type { Harness } from "../helpers/harness.js";
import { describeEachDialect } from "../helpers/harness.js";
import { e164, newEmail, newPhone, profileOf, register, sendEmail, sendSms } from "../helpers/profile.js";

const clock = new FakeClock(Date.now());

/**
 * Holds the next flow that spends codes between its reads (the user, the other ways to sign in) and
 * its transaction (the conditional write), until the test releases it: the test makes its competing
 * change in between, deterministically.
 */
function holdNextSpend(h: Harness) {
  const codes = h.ctx.codes;
  const spend = codes.spendWith;
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  codes.spendWith = async (checks, work) => {
    codes.spendWith = spend;
    arrived();
    await released;
    return spend(checks, work);
  };
  return {
    reached,
    release,
    restore() {
      codes.spendWith = spend;
      release();
    },
  };
}

/** Waits for the hold; a request that answers before it (never reaching its transaction) fails the test. */
async function reachedOrAnswered(reached: Promise<void>, pending: Promise<unknown>): Promise<void> {
  const early = await Promise.race([reached.then(() => undefined), pending]);
  assert.equal(early, undefined, `answered before its transaction: ${JSON.stringify(early)}`);
}

const changed = {
  phone: {
    "zh-CN": "账号的手机号已被修改，请刷新后重试",
    "en-US": "The account's phone changed meanwhile; reload and try again",
  },
  email: {
    "zh-CN": "账号的邮箱已被修改，请刷新后重试",
    "en-US": "The account's email changed meanwhile; reload and try again",
  },
} as const;

describeEachDialect(
  "profile: bind and unbind racing another change of the same account",
  (h) => {
    const pool = () => h().boot.userPoolId;
    const stored = async (userId: string) => (await h().ctx.repos.users.findUserById(pool(), userId))!;
    const contacts = () => h().ctx.repos.userContacts;

    for (const field of ["phone", "email"] as const) {
      for (const language of ["zh-CN", "en-US"] as const) {
        it(`unbind-${field}: the ${field} unbound meanwhile (another device) → 422/2219 "changed meanwhile" (${language}), the code not spent`, async () => {
          const u = await register(h(), { phone: true, email: true });
          const before = await stored(u.userId);
          const address = field === "phone" ? before.phone! : before.email!;
          const passCode =
            field === "phone"
              ? await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token)
              : await sendEmail(h(), u.email!, "CHANNEL_UNBIND_EMAIL", u.token);
          const url = `/api/v3/unbind-${field}`;
          const hold = holdNextSpend(h());
          let r: any;
          try {
            const pending = h().api(
              "POST",
              url,
              { passCode },
              { authorization: u.token, "x-authing-lang": language },
            );
            await reachedOrAnswered(hold.reached, pending);
            const cleared =
              field === "phone"
                ? await contacts().clearUserPhoneKeepingASignInMethod(pool(), u.userId, address, clock.now())
                : await contacts().clearUserEmailKeepingASignInMethod(pool(), u.userId, address, clock.now());
            assert.equal(cleared, 1);
            hold.release();
            r = await pending;
          } finally {
            hold.restore();
          }
          assert.deepEqual(
            [r.statusCode, r.apiCode, r.message],
            [422, 2219, changed[field][language]],
            JSON.stringify(r),
          );
          const events = await h().ctx.repos.audit.listAuditEventsByUser(pool(), u.userId);
          assert.ok(!events.some((e) => e.action === `user.${field}.unbound`), "nothing recorded");
          // The refusal rolled the code back with the write: once the address is back, it unbinds.
          const restored =
            field === "phone"
              ? await contacts().setUserPhoneIfUnset(pool(), u.userId, address, clock.now())
              : await contacts().setUserEmailIfUnset(
                  pool(),
                  u.userId,
                  { value: address, key: before.email_key! },
                  clock.now(),
                );
          assert.equal(restored, 1);
          const again = await h().api("POST", url, { passCode }, { authorization: u.token });
          assert.equal(again.statusCode, 200, JSON.stringify(again));
          assert.equal((await profileOf(h(), u.token))[field] ?? null, null);
        });
      }
    }

    it("unbind-phone: the email unbound meanwhile, the phone now the last way to sign in → 422/2217, the phone kept", async () => {
      const u = await register(h(), { phone: true, email: true, password: null });
      const before = await stored(u.userId);
      const passCode = await sendSms(h(), u.phone!, "CHANNEL_UNBIND_PHONE", u.token);
      const hold = holdNextSpend(h());
      let r: any;
      try {
        const pending = h().api("POST", "/api/v3/unbind-phone", { passCode }, { authorization: u.token });
        await reachedOrAnswered(hold.reached, pending);
        assert.equal(
          await contacts().clearUserEmailKeepingASignInMethod(pool(), u.userId, before.email!, clock.now()),
          1,
        );
        hold.release();
        r = await pending;
      } finally {
        hold.restore();
      }
      assert.deepEqual([r.statusCode, r.apiCode], [422, 2217], JSON.stringify(r));
      assert.equal((await stored(u.userId)).phone, before.phone);
    });

    for (const field of ["phone", "email"] as const) {
      it(`bind-${field}: ${field === "email" ? "an" : "a"} ${field} bound meanwhile (another device) → 422 already bound, nothing recorded, the code not spent`, async () => {
        const u = await register(h(), field === "phone" ? { email: true } : { phone: true });
        const wanted = field === "phone" ? newPhone() : newEmail();
        const passCode =
          field === "phone"
            ? await sendSms(h(), wanted, "CHANNEL_BIND_PHONE", u.token)
            : await sendEmail(h(), wanted, "CHANNEL_BIND_EMAIL", u.token);
        const body = field === "phone" ? { phoneNumber: wanted, passCode } : { email: wanted, passCode };
        const other = field === "phone" ? e164(newPhone()) : newEmail();
        const hold = holdNextSpend(h());
        let r: any;
        try {
          const pending = h().api("POST", `/api/v3/bind-${field}`, body, { authorization: u.token });
          await reachedOrAnswered(hold.reached, pending);
          const bound =
            field === "phone"
              ? await contacts().setUserPhoneIfUnset(pool(), u.userId, other, clock.now())
              : await contacts().setUserEmailIfUnset(
                  pool(),
                  u.userId,
                  { value: other, key: other },
                  clock.now(),
                );
          assert.equal(bound, 1);
          hold.release();
          r = await pending;
        } finally {
          hold.restore();
        }
        assert.deepEqual(
          [r.statusCode, r.apiCode],
          field === "phone" ? [422, 2035] : [422, 2200],
          JSON.stringify(r),
        );
        assert.equal((await stored(u.userId))[field], other, "the other device's value stays");
        const events = await h().ctx.repos.audit.listAuditEventsByUser(pool(), u.userId);
        assert.ok(!events.some((e) => e.action === `user.${field}.bound`), "nothing recorded");
        // The refusal rolled the code back with the write: once the field is free, it binds.
        const cleared =
          field === "phone"
            ? await contacts().clearUserPhoneKeepingASignInMethod(pool(), u.userId, other, clock.now())
            : await contacts().clearUserEmailKeepingASignInMethod(pool(), u.userId, other, clock.now());
        assert.equal(cleared, 1);
        const again = await h().api("POST", `/api/v3/bind-${field}`, body, { authorization: u.token });
        assert.equal(again.statusCode, 200, JSON.stringify(again));
      });
    }
  },
  { clock, config: { codeIpHourlyLimit: 1_000_000, codeTargetHourlyLimit: 1_000_000 } },
);
