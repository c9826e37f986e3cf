import { type ExpressionBuilder, sql } from "kysely";
import type { Database } from "../schema.js";
import { writingUsers } from "../sqlite/user-rows.js";
import type { Step } from "./all-or-nothing.js";
import { compiled, firstRow } from "./compiled.js";
import type { Executor } from "./executor.js";

/**
 * Conditional writes of a user's phone and email. Each states in its WHERE clause what must
 * still be true, so a concurrent change makes it touch no row (no count, no returned row) instead
 * of overwriting; the unique indexes remain the final word on who owns a number.
 */
type Users = ExpressionBuilder<Database, "users">;

/** Another way to sign in remains without the phone: email (code), username+password, an identity. */
const signInWithoutPhone = (eb: Users) =>
  eb.or([
    eb("email", "is not", null),
    eb.and([eb("username", "is not", null), eb("password_hash", "is not", null)]),
    eb.exists(
      eb.selectFrom("identities").select("identities.id").whereRef("identities.user_id", "=", "users.id"),
    ),
  ]);

const signInWithoutEmail = (eb: Users) =>
  eb.or([
    eb("phone", "is not", null),
    eb.and([eb("username", "is not", null), eb("password_hash", "is not", null)]),
    eb.exists(
      eb.selectFrom("identities").select("identities.id").whereRef("identities.user_id", "=", "users.id"),
    ),
  ]);

const replacePhone = compiled(
  "users.replacePhone",
  // `provedAt` and `now` are one value, passed twice: a compiled query's parameters are its arguments, in order.
  (db, newPhone: string, provedAt: number, now: number, poolId: string, id: string, oldPhone: string) =>
    db
      .updateTable("users")
      .set((eb) => ({
        phone: newPhone,
        phone_verified: eb.lit(1),
        phone_proved_at: provedAt,
        updated_at: now,
      }))
      .where("pool_id", "=", poolId)
      .where("id", "=", id)
      .where("phone", "=", oldPhone)
      .returning(["phone", "email"]),
);

/** An identifier as stored and its key. */
export interface Keyed {
  value: string;
  key: string;
}

/** A user's addresses after a change; undefined when the change touched no row. */
export type Contacts = { phone: string | null; email: string | null } | undefined;

export function userContactsRepo(db: Executor) {
  const user = (poolId: string, id: string) =>
    db.updateTable("users").where("pool_id", "=", poolId).where("id", "=", id);
  const count = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows);

  return {
    /** bind-phone: only while the user has none. */
    async setUserPhoneIfUnset(poolId: string, id: string, phone: string, now: number): Promise<number> {
      const r = await writingUsers(db, () =>
        user(poolId, id)
          .set({ phone, phone_verified: 1, phone_proved_at: now, updated_at: now })
          .where("phone", "is", null)
          .executeTakeFirst(),
      );
      return count(r);
    },
    /** Change phone, only while the user still has the number the change was verified for. */
    async replaceUserPhone(
      poolId: string,
      id: string,
      oldPhone: string,
      newPhone: string,
      now: number,
    ): Promise<Contacts> {
      return firstRow(
        await writingUsers(db, () => replacePhone(db, newPhone, now, now, poolId, id, oldPhone), [id]),
      );
    },
    /**
     * Change phone, as a step of an all-or-nothing batch: only while the user still has the
     * number the change was verified for; its one row is the user's addresses after the change.
     */
    replaceUserPhoneStep(poolId: string, id: string, oldPhone: string, newPhone: string, now: number): Step {
      return {
        query: replacePhone.compile(db, newPhone, now, now, poolId, id, oldPhone),
        expectRows: 1,
        rows: true,
        writesUsers: id,
      };
    },
    /** unbind-phone: only the verified number, and only if another way to sign in remains. */
    async clearUserPhoneKeepingASignInMethod(poolId: string, id: string, phone: string, now: number) {
      const r = await writingUsers(db, () =>
        user(poolId, id)
          .set({ phone: null, phone_verified: 0, phone_proved_at: null, updated_at: now })
          .where("phone", "=", phone)
          .where(signInWithoutPhone)
          .executeTakeFirst(),
      );
      return count(r);
    },
    /** `email` with its key (identifierKey in services/users/identifiers.ts). */
    async setUserEmailIfUnset(poolId: string, id: string, email: Keyed, now: number): Promise<number> {
      const r = await writingUsers(db, () =>
        user(poolId, id)
          .set({
            email: email.value,
            email_key: email.key,
            email_verified: 1,
            email_proved_at: now,
            updated_at: now,
          })
          .where("email", "is", null)
          .executeTakeFirst(),
      );
      return count(r);
    },
    /** Change email, as replaceUserPhoneStep: only while the user's stored email is still `oldEmail`. */
    replaceUserEmailStep(poolId: string, id: string, oldEmail: string, newEmail: Keyed, now: number): Step {
      return {
        query: user(poolId, id)
          .set({
            email: newEmail.value,
            email_key: newEmail.key,
            email_verified: 1,
            email_proved_at: now,
            updated_at: now,
          })
          .where("email", "=", oldEmail)
          .returning(["phone", "email"])
          .compile(),
        expectRows: 1,
        rows: true,
        writesUsers: id,
      };
    },
    async clearUserEmailKeepingASignInMethod(poolId: string, id: string, email: string, now: number) {
      const r = await writingUsers(db, () =>
        user(poolId, id)
          .set({ email: null, email_key: null, email_verified: 0, email_proved_at: null, updated_at: now })
          .where("email", "=", email)
          .where(signInWithoutEmail)
          .executeTakeFirst(),
      );
      return count(r);
    },
    /**
     * The first proof of an address by a code on an account whose password was set before it
     * (docs/behaviour-and-errors.md §4.6): the address becomes verified and the password is
     * dropped, both only while the address is still unverified and a password is set — so of two
     * racing proofs one revokes. Returns whether it did.
     */
    async proveAddressRevokingPassword(
      poolId: string,
      id: string,
      address: ProvedAddress,
      now: number,
    ): Promise<boolean> {
      const { flag, proved } = columnsOf(address);
      const r = await writingUsers(db, () =>
        user(poolId, id)
          .set({
            [flag]: 1,
            [proved]: now,
            password_hash: null,
            password_security_level: null,
            password_last_set_at: null,
            updated_at: now,
          })
          .where(flag, "=", 0)
          .where("password_hash", "is not", null)
          .where(sameAddress(address))
          .executeTakeFirst(),
      );
      return count(r) === 1;
    },
    /** A code proved the address: verified, and proved now unless a code proved it before. */
    async markAddressProved(poolId: string, id: string, address: ProvedAddress, now: number): Promise<void> {
      const { flag, proved } = columnsOf(address);
      await writingUsers(db, () =>
        user(poolId, id)
          .set({ [flag]: 1, [proved]: sql<number>`COALESCE(${sql.ref(proved)}, ${now})`, updated_at: now })
          .where(sameAddress(address))
          .executeTakeFirst(),
      );
    },
    /**
     * A reclaim's second half (docs/behaviour-and-errors.md §4.6): the user's `kind` address goes
     * if a code proved it — from a session the squatter's password opened, or with the squatter's
     * own code at sign-up. An address an administrator vouched for (never proved by a code) stays.
     * Returns the address removed, if any.
     */
    async dropCodeProvedAddress(
      poolId: string,
      id: string,
      kind: "email" | "phone",
      now: number,
    ): Promise<string | undefined> {
      const proved = kind === "email" ? "email_proved_at" : "phone_proved_at";
      const cleared =
        kind === "email"
          ? { email: null, email_key: null, email_verified: 0, email_proved_at: null, updated_at: now }
          : { phone: null, phone_verified: 0, phone_proved_at: null, updated_at: now };
      const row = await db
        .selectFrom("users")
        .select(["email", "phone"])
        .where("pool_id", "=", poolId)
        .where("id", "=", id)
        .where(proved, "is not", null)
        .executeTakeFirst();
      const value = row?.[kind];
      if (!value) return undefined;
      const r = await writingUsers(db, () =>
        user(poolId, id)
          .set(cleared)
          .where(kind, "=", value)
          .where(proved, "is not", null)
          .executeTakeFirst(),
      );
      return count(r) === 1 ? value : undefined;
    },
  };
}

/** An address a code was sent to: a normalised email or an E.164 phone number. */
export type ProvedAddress = { kind: "email" | "phone"; value: string };

const columnsOf = (address: ProvedAddress) =>
  address.kind === "email"
    ? ({ flag: "email_verified", proved: "email_proved_at" } as const)
    : ({ flag: "phone_verified", proved: "phone_proved_at" } as const);

/** The stored address is the very one the code went to (both in normalizeEmail's or E.164 form). */
const sameAddress = (address: ProvedAddress) => (eb: Users) =>
  address.kind === "email" ? eb("email", "=", address.value) : eb("phone", "=", address.value);
