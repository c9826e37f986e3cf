import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApiError } from "../../src/errors.js";
import { FakeClock } from "../../src/lib/clock.js";
import { hashCode } from "../../src/services/codes/code-secret.js";
import type { CodeCheck, CodeTarget } from "../../src/services/codes/engine.js";
import {
  freshEmail,
  freshPhone,
  sendEmailCode,
  sendSmsCode,
  smsTarget,
  wrongCode,
} from "../helpers/codes.js";
import { rejectsWith } from "../helpers/errors.js";
import { describeEachDialect } from "../helpers/harness.js";
import { patchPoolSettings, poolSettings } from "../helpers/pool-settings.js";

const clock = new FakeClock();

/** Parallel spends of one code: exactly one succeeds, every other finds it spent (2300). */
function assertOneSpentRestExpired(results: PromiseSettledResult<unknown>[]) {
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  for (const r of results) {
    if (r.status === "rejected") assert.equal((r.reason as ApiError).key, "CODE_EXPIRED");
  }
}

describeEachDialect(
  "verification codes: the engine",
  (h) => {
    it("a code has verifyCodeLength digits, from 4 to 8", async () => {
      for (const length of [4, 8, 6]) {
        await patchPoolSettings(h(), { verifyCodeLength: length });
        const code = await sendSmsCode(h(), freshPhone(), "CHANNEL_LOGIN");
        assert.match(code, new RegExp(`^\\d{${length}}$`));
      }
    });

    it("a code is stored only as HMAC-SHA256 keyed with the server secret", async () => {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const row = await h()
        .ctx.db.kysely.selectFrom("verification_codes")
        .selectAll()
        .where("target", "=", `+86${phone}`)
        .executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(code), "the plain code appears in the row");
      const binding = {
        poolId: h().boot.userPoolId,
        kind: "sms",
        channel: "CHANNEL_LOGIN",
        target: `+86${phone}`,
      };
      assert.equal(row.code_hash, hashCode(h().ctx.keys.secret, binding, code));
    });

    it("a code sent on CHANNEL_LOGIN never satisfies CHANNEL_BIND_PHONE (wrong, 2001) and stays usable", async () => {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const settings = await poolSettings(h());
      await assert.rejects(
        h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_BIND_PHONE"], code, settings),
        rejectsWith("CODE_WRONG"),
      );
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings);
    });

    it("a code is bound to its target: another number, or the email kind, finds no code (2300)", async () => {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const settings = await poolSettings(h());
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), freshPhone()), ["CHANNEL_LOGIN"], code, settings),
        rejectsWith("CODE_EXPIRED"),
      );
      await assert.rejects(
        h().ctx.codes.check(
          { poolId: h().boot.userPoolId, kind: "email", target: `+86${phone}` },
          ["CHANNEL_LOGIN"],
          code,
          settings,
        ),
        rejectsWith("CODE_EXPIRED"),
      );
    });

    it("a code expires after verifyCodeExpiresIn seconds (2300), and is valid until then", async () => {
      await patchPoolSettings(h(), { verifyCodeExpiresIn: 120 });
      const settings = await poolSettings(h());
      const late = freshPhone();
      const lateCode = await sendSmsCode(h(), late, "CHANNEL_LOGIN");
      const onTime = freshPhone();
      const onTimeCode = await sendSmsCode(h(), onTime, "CHANNEL_LOGIN");
      clock.advance(119_999);
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), onTime), ["CHANNEL_LOGIN"], onTimeCode, settings);
      clock.advance(1);
      await assert.rejects(
        h().ctx.codes.verifyAndConsume(smsTarget(h(), late), ["CHANNEL_LOGIN"], lateCode, settings),
        rejectsWith("CODE_EXPIRED"),
      );
      await patchPoolSettings(h(), { verifyCodeExpiresIn: 300 });
    });

    it("a code is single use: the second use answers 2300", async () => {
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const settings = await poolSettings(h());
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings);
      await assert.rejects(
        h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings),
        rejectsWith("CODE_EXPIRED"),
      );
    });

    it("check does not consume; consume spends the checked code", async () => {
      const email = freshEmail();
      const code = await sendEmailCode(h(), email, "CHANNEL_BIND_EMAIL");
      const settings = await poolSettings(h());
      const target: CodeTarget = { poolId: h().boot.userPoolId, kind: "email", target: email.toUpperCase() };
      await h().ctx.codes.check(target, ["CHANNEL_BIND_EMAIL"], code, settings);
      const checked = await h().ctx.codes.check(target, ["CHANNEL_BIND_EMAIL"], code, settings);
      await h().ctx.codes.consume([checked]);
      await assert.rejects(h().ctx.codes.consume([checked]), rejectsWith("CODE_EXPIRED"));
      await assert.rejects(
        h().ctx.codes.check(target, ["CHANNEL_BIND_EMAIL"], code, settings),
        rejectsWith("CODE_EXPIRED"),
      );
    });

    it(`after verifyCodeMaxAttempts wrong tries the code is dead: 2001 each time, then 2300 even for the right code`, async () => {
      await patchPoolSettings(h(), { verifyCodeMaxAttempts: 3 });
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      for (let i = 0; i < 3; i++) {
        await assert.rejects(
          h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], wrongCode(code), settings),
          rejectsWith("CODE_WRONG"),
        );
      }
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings),
        rejectsWith("CODE_EXPIRED"),
      );
      await patchPoolSettings(h(), { verifyCodeMaxAttempts: 5 });
    });

    it("wrong tries below the limit leave the right code working; a right check is not counted as a try", async () => {
      await patchPoolSettings(h(), { verifyCodeMaxAttempts: 2 });
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      for (let i = 0; i < 5; i++)
        await h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings);
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], wrongCode(code), settings),
        rejectsWith("CODE_WRONG"),
      );
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings);
      await patchPoolSettings(h(), { verifyCodeMaxAttempts: 5 });
    });

    it("100 parallel wrong guesses count at most verifyCodeMaxAttempts tries and leave the code dead", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const guesses = Array.from({ length: 100 }, (_, i) => String(i).padStart(code.length, "9")).filter(
        (g) => g !== code,
      );
      const results = await Promise.allSettled(
        guesses.map((g) => h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], g, settings)),
      );
      const keys = results.map((r) => (r.status === "rejected" ? (r.reason as ApiError).key : "ACCEPTED"));
      assert.equal(keys.filter((k) => k === "ACCEPTED").length, 0);
      assert.ok(keys.filter((k) => k === "CODE_WRONG").length <= settings.verifyCodeMaxAttempts);
      const row = await h()
        .ctx.db.kysely.selectFrom("verification_codes")
        .select("attempts")
        .where("target", "=", `+86${phone}`)
        .executeTakeFirstOrThrow();
      assert.equal(row.attempts, settings.verifyCodeMaxAttempts);
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings),
        rejectsWith("CODE_EXPIRED"),
      );
    });

    it("one code spent in parallel by 20 requests succeeds exactly once", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const checked = await h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => h().ctx.codes.consume([checked])),
      );
      assertOneSpentRestExpired(results);
    });

    it("verifyAndConsume in parallel with the right code succeeds exactly once", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings),
        ),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    });

    it("consuming two codes is all or nothing: one already spent leaves the other unspent", async () => {
      const settings = await poolSettings(h());
      const oldPhone = freshPhone();
      const newPhone = freshPhone();
      const oldCode = await sendSmsCode(h(), oldPhone, "CHANNEL_UNBIND_PHONE");
      const newCode = await sendSmsCode(h(), newPhone, "CHANNEL_BIND_PHONE");
      const oldChecked = await h().ctx.codes.check(
        smsTarget(h(), oldPhone),
        ["CHANNEL_UNBIND_PHONE"],
        oldCode,
        settings,
      );
      const newChecked = await h().ctx.codes.check(
        smsTarget(h(), newPhone),
        ["CHANNEL_BIND_PHONE"],
        newCode,
        settings,
      );
      await h().ctx.codes.consume([oldChecked]);
      await assert.rejects(h().ctx.codes.consume([oldChecked, newChecked]), rejectsWith("CODE_EXPIRED"));
      await h().ctx.codes.consume([newChecked]);
    });

    it("a wrong old code does not burn the new one, but counts an attempt on the old one", async () => {
      const settings = await poolSettings(h());
      const oldPhone = freshPhone();
      const newPhone = freshPhone();
      const oldCode = await sendSmsCode(h(), oldPhone, "CHANNEL_UNBIND_PHONE");
      const newCode = await sendSmsCode(h(), newPhone, "CHANNEL_BIND_PHONE");
      const newChecked = await h().ctx.codes.check(
        smsTarget(h(), newPhone),
        ["CHANNEL_BIND_PHONE", "CHANNEL_UNBIND_PHONE"],
        newCode,
        settings,
      );
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), oldPhone), ["CHANNEL_UNBIND_PHONE"], wrongCode(oldCode), settings),
        rejectsWith("CODE_WRONG"),
      );
      const attempts = async (phone: string) =>
        (
          await h()
            .ctx.db.kysely.selectFrom("verification_codes")
            .select("attempts")
            .where("target", "=", `+86${phone}`)
            .executeTakeFirstOrThrow()
        ).attempts;
      assert.equal(await attempts(oldPhone), 1);
      assert.equal(await attempts(newPhone), 0);
      await h().ctx.codes.consume([newChecked]);
    });

    describe("spendWith: the codes checked and spent with the step's own writes, one transaction", () => {
      const codeRow = async (phone: string) =>
        h()
          .ctx.db.kysely.selectFrom("verification_codes")
          .select(["attempts", "consumed_at"])
          .where("target", "=", `+86${phone}`)
          .executeTakeFirstOrThrow();
      const pairOfCodes = async () => {
        const oldPhone = freshPhone();
        const newPhone = freshPhone();
        const oldCode = await sendSmsCode(h(), oldPhone, "CHANNEL_UNBIND_PHONE");
        const newCode = await sendSmsCode(h(), newPhone, "CHANNEL_BIND_PHONE");
        const checks = (old: string, fresh: string): CodeCheck[] => [
          { target: smsTarget(h(), oldPhone), channels: ["CHANNEL_UNBIND_PHONE"], code: old },
          { target: smsTarget(h(), newPhone), channels: ["CHANNEL_BIND_PHONE"], code: fresh },
        ];
        return { oldPhone, newPhone, oldCode, newCode, checks };
      };

      it("right codes: the work runs, both codes are spent, no attempt counted", async () => {
        const p = await pairOfCodes();
        const result = await h().ctx.codes.spendWith(p.checks(p.oldCode, p.newCode), async () => "done");
        assert.equal(result, "done");
        for (const phone of [p.oldPhone, p.newPhone]) {
          const row = await codeRow(phone);
          assert.notEqual(row.consumed_at, null);
          assert.equal(row.attempts, 0);
        }
        await assert.rejects(
          h().ctx.codes.spendWith(p.checks(p.oldCode, p.newCode), async () => "again"),
          rejectsWith("CODE_EXPIRED"),
        );
      });

      it("a wrong first code: 2001, its attempt counts, the second is neither spent nor counted", async () => {
        const p = await pairOfCodes();
        let ran = false;
        const work = async () => {
          ran = true;
        };
        await assert.rejects(
          h().ctx.codes.spendWith(p.checks(wrongCode(p.oldCode), p.newCode), work),
          rejectsWith("CODE_WRONG"),
        );
        assert.equal(ran, false);
        assert.deepEqual(await codeRow(p.oldPhone), { attempts: 1, consumed_at: null });
        assert.deepEqual(await codeRow(p.newPhone), { attempts: 0, consumed_at: null });
      });

      it("a right first code and a wrong second: only the second counts an attempt, nothing spent", async () => {
        const p = await pairOfCodes();
        await assert.rejects(
          h().ctx.codes.spendWith(p.checks(p.oldCode, wrongCode(p.newCode)), async () => undefined),
          rejectsWith("CODE_WRONG"),
        );
        assert.deepEqual(await codeRow(p.oldPhone), { attempts: 0, consumed_at: null });
        assert.deepEqual(await codeRow(p.newPhone), { attempts: 1, consumed_at: null });
        await h().ctx.codes.spendWith(p.checks(p.oldCode, p.newCode), async () => undefined);
      });

      it("work that throws leaves both codes unspent and uncounted", async () => {
        const p = await pairOfCodes();
        await assert.rejects(
          h().ctx.codes.spendWith(p.checks(p.oldCode, p.newCode), async (repos) => {
            await repos.audit.insertAuditEvent({
              id: "spendwith-rolled-back",
              pool_id: h().boot.userPoolId,
              user_id: null,
              actor_type: "system",
              actor_id: null,
              action: "user.phone.changed",
              target: null,
              old_value: null,
              new_value: null,
              ip: null,
              user_agent: null,
              app_id: null,
              created_at: clock.now(),
            });
            throw new Error("the write after the codes failed");
          }),
          /the write after the codes failed/,
        );
        assert.deepEqual(await codeRow(p.oldPhone), { attempts: 0, consumed_at: null });
        assert.deepEqual(await codeRow(p.newPhone), { attempts: 0, consumed_at: null });
        const audit = await h()
          .ctx.db.kysely.selectFrom("audit_events")
          .select("id")
          .where("id", "=", "spendwith-rolled-back")
          .executeTakeFirst();
        assert.equal(audit, undefined, "the work's own write is rolled back too");
      });

      it("the right code on the last attempt left is still spent", async () => {
        await patchPoolSettings(h(), { verifyCodeMaxAttempts: 2 });
        const settings = await poolSettings(h());
        const phone = freshPhone();
        const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
        const target = smsTarget(h(), phone);
        await assert.rejects(
          h().ctx.codes.check(target, ["CHANNEL_LOGIN"], wrongCode(code), settings),
          rejectsWith("CODE_WRONG"),
        );
        await h().ctx.codes.spendWith([{ target, channels: ["CHANNEL_LOGIN"], code }], async () => undefined);
        assert.notEqual((await codeRow(phone)).consumed_at, null);
        await patchPoolSettings(h(), { verifyCodeMaxAttempts: 5 });
      });

      it("20 parallel calls with the right codes: the work runs exactly once", async () => {
        const p = await pairOfCodes();
        let runs = 0;
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            h().ctx.codes.spendWith(p.checks(p.oldCode, p.newCode), async () => {
              runs++;
            }),
          ),
        );
        assert.equal(runs, 1);
        assertOneSpentRestExpired(results);
      });

      it("100 parallel wrong guesses count at most verifyCodeMaxAttempts tries and leave the code dead", async () => {
        const settings = await poolSettings(h());
        const phone = freshPhone();
        const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
        const target = smsTarget(h(), phone);
        const guesses = Array.from({ length: 100 }, (_, i) => String(i).padStart(code.length, "9")).filter(
          (g) => g !== code,
        );
        const results = await Promise.allSettled(
          guesses.map((g) =>
            h().ctx.codes.spendWith(
              [{ target, channels: ["CHANNEL_LOGIN"], code: g }],
              async () => undefined,
            ),
          ),
        );
        const keys = results.map((r) => (r.status === "rejected" ? (r.reason as ApiError).key : "ACCEPTED"));
        assert.equal(keys.filter((k) => k === "ACCEPTED").length, 0);
        assert.equal(keys.filter((k) => k === "CODE_WRONG").length, settings.verifyCodeMaxAttempts);
        assert.equal((await codeRow(phone)).attempts, settings.verifyCodeMaxAttempts);
        await assert.rejects(
          h().ctx.codes.spendWith([{ target, channels: ["CHANNEL_LOGIN"], code }], async () => undefined),
          rejectsWith("CODE_EXPIRED"),
        );
      });
    });

    it("consume inside a transaction that rolls back leaves the code unspent", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const code = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const checked = await h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], code, settings);
      await assert.rejects(
        h()
          .ctx.db.kysely.transaction()
          .execute(async (trx) => {
            await h().ctx.codes.consume([checked], trx);
            throw new Error("the write that should have gone with it failed");
          }),
        /the write/,
      );
      await h().ctx.codes.consume([checked]);
    });

    it("a newer code for the same number and channel replaces the older one", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const first = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const firstChecked = await h().ctx.codes.check(
        smsTarget(h(), phone),
        ["CHANNEL_LOGIN"],
        first,
        settings,
      );
      clock.advance(61_000);
      let second = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      while (second === first) {
        clock.advance(61_000);
        second = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      }
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_LOGIN"], first, settings),
        rejectsWith("CODE_WRONG"),
      );
      await assert.rejects(h().ctx.codes.consume([firstChecked]), rejectsWith("CODE_EXPIRED"));
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], second, settings);
    });

    it("codes on different channels of one number live side by side", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const login = await sendSmsCode(h(), phone, "CHANNEL_LOGIN");
      const bind = await sendSmsCode(h(), phone, "CHANNEL_BIND_PHONE");
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_BIND_PHONE"], bind, settings);
      await h().ctx.codes.verifyAndConsume(smsTarget(h(), phone), ["CHANNEL_LOGIN"], login, settings);
    });

    it("deliver:false answers like a send but delivers nothing and stores nothing usable", async () => {
      const settings = await poolSettings(h());
      const phone = freshPhone();
      const before = h().ctx.outbox.messages.length;
      await h().ctx.codes.send({
        ...smsTarget(h(), phone),
        channel: "CHANNEL_RESET_PASSWORD",
        settings,
        deliver: false,
      });
      assert.equal(h().ctx.outbox.messages.length, before);
      // Any guess is "wrong", exactly as for a real code: the unknown number is not revealed.
      await assert.rejects(
        h().ctx.codes.check(smsTarget(h(), phone), ["CHANNEL_RESET_PASSWORD"], "123456", settings),
        rejectsWith("CODE_WRONG"),
      );
      // …and its limits apply: the cooldown holds.
      await assert.rejects(
        h().ctx.codes.send({
          ...smsTarget(h(), phone),
          channel: "CHANNEL_RESET_PASSWORD",
          settings,
          deliver: false,
        }),
        rejectsWith("CODE_COOLDOWN"),
      );
    });
  },
  { clock },
);
