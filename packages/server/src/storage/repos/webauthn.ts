import type { Selectable } from "kysely";
import type { PasskeyPromptTable, WebauthnChallengeTable, WebauthnCredentialTable } from "../schema.js";
import type { Executor } from "./executor.js";

export type WebauthnCredentialRow = Selectable<WebauthnCredentialTable>;
export type WebauthnChallengeRow = Selectable<WebauthnChallengeTable>;
export type PasskeyPromptRow = Selectable<PasskeyPromptTable>;

/** Which live challenge to spend: all of it must match, or nothing is consumed. */
export interface ChallengeKey {
  ticketHash: string;
  purpose: string;
  poolId: string;
}

/** Passkeys and the challenges of their ceremonies (docs/passkeys.md). */
export function webauthnRepo(db: Executor) {
  return {
    async insertChallenge(row: WebauthnChallengeRow): Promise<void> {
      await db.insertInto("webauthn_challenges").values(row).execute();
    },
    /**
     * Spends a live challenge atomically (`UPDATE … WHERE consumed_at IS NULL AND expires_at > now`):
     * the row when this call consumed it; undefined when unknown, expired, foreign or used.
     */
    async consumeChallenge(key: ChallengeKey, now: number): Promise<WebauthnChallengeRow | undefined> {
      return db
        .updateTable("webauthn_challenges")
        .set({ consumed_at: now })
        .where("ticket_hash", "=", key.ticketHash)
        .where("purpose", "=", key.purpose)
        .where("pool_id", "=", key.poolId)
        .where("consumed_at", "is", null)
        .where("expires_at", ">", now)
        .returningAll()
        .executeTakeFirst();
    },
    async deleteChallengesExpiredBefore(before: number): Promise<void> {
      await db.deleteFrom("webauthn_challenges").where("expires_at", "<", before).execute();
    },

    async insertCredential(row: WebauthnCredentialRow): Promise<void> {
      await db.insertInto("webauthn_credentials").values(row).execute();
    },
    async findCredentialByCredentialId(
      poolId: string,
      credentialId: string,
    ): Promise<WebauthnCredentialRow | undefined> {
      return db
        .selectFrom("webauthn_credentials")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("credential_id", "=", credentialId)
        .executeTakeFirst();
    },
    /** A user's credential by our id or by the authenticator's credential id. */
    async findUserCredential(
      poolId: string,
      userId: string,
      id: string,
    ): Promise<WebauthnCredentialRow | undefined> {
      return db
        .selectFrom("webauthn_credentials")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where((eb) => eb.or([eb("id", "=", id), eb("credential_id", "=", id)]))
        .executeTakeFirst();
    },
    async listUserCredentials(poolId: string, userId: string): Promise<WebauthnCredentialRow[]> {
      return db
        .selectFrom("webauthn_credentials")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
    },
    async countUserCredentials(poolId: string, userId: string): Promise<number> {
      const r = await db
        .selectFrom("webauthn_credentials")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async listUserCredentialPage(
      poolId: string,
      userId: string,
      page: { offset: number; limit: number },
    ): Promise<WebauthnCredentialRow[]> {
      return db
        .selectFrom("webauthn_credentials")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .orderBy("id")
        .limit(page.limit)
        .offset(page.offset)
        .execute();
    },
    /**
     * Moves the signature counter and the last-used time, only from the value the check read: of
     * two parallel uses of one assertion at most one updates the row (a compare-and-set).
     */
    async recordCredentialUse(
      id: string,
      from: number,
      to: number,
      backedUp: boolean,
      now: number,
    ): Promise<boolean> {
      const r = await db
        .updateTable("webauthn_credentials")
        .set({ counter: to, backed_up: backedUp ? 1 : 0, last_used_at: now })
        .where("id", "=", id)
        .where("counter", "=", from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async renameCredential(poolId: string, userId: string, id: string, name: string): Promise<boolean> {
      const r = await db
        .updateTable("webauthn_credentials")
        .set({ name })
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteCredential(poolId: string, userId: string, id: string): Promise<boolean> {
      const r = await db
        .deleteFrom("webauthn_credentials")
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    /** Removes the user's credentials of one authenticatorCode; returns the removed rows. */
    async deleteCredentialsByCode(
      poolId: string,
      userId: string,
      code: string,
    ): Promise<WebauthnCredentialRow[]> {
      return db
        .deleteFrom("webauthn_credentials")
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .where("authenticator_code", "=", code)
        .returningAll()
        .execute();
    },

    /** The user's answers to the "add a passkey" prompt; undefined: never answered. */
    async findPasskeyPrompt(poolId: string, userId: string): Promise<PasskeyPromptRow | undefined> {
      return db
        .selectFrom("passkey_prompts")
        .selectAll()
        .where("pool_id", "=", poolId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
    },
    async setPasskeyPrompt(row: PasskeyPromptRow): Promise<void> {
      await db
        .insertInto("passkey_prompts")
        .values(row)
        .onConflict((oc) =>
          oc.column("user_id").doUpdateSet((eb) => ({
            snoozed_until: eb.ref("excluded.snoozed_until"),
            never: eb.ref("excluded.never"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    },
  };
}
