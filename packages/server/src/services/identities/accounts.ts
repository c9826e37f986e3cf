import type { IdentityDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Clock } from "../../lib/clock.js";
import { newId } from "../../lib/ids.js";
import { isForeignKeyViolation } from "../../storage/db.js";
import type { ExtIdpConnRow, ExtIdpRow } from "../../storage/repos/ext-idps.js";
import type { IdentityRow } from "../../storage/repos/identities.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { UserRow } from "../../storage/repos/users.js";
import { uniqueViolation } from "../../storage/unique-violation.js";
import { type Emit, userEvent, withEvents } from "../events/emit.js";
import type { EventOrigin } from "../events/scope.js";
import { toIdentityDto } from "../users/dto.js";
import type { UpstreamAccount } from "./providers.js";

/** The identity type Gatehouse writes for an upstream account (GenAuth's default for linkIdentity). */
export const IDENTITY_TYPE = "generic";

export interface AccountsDeps {
  repos: Repositories;
  clock: Clock;
  emit: Emit;
}

/**
 * Identity rows: linking an upstream account to a user and taking it away again, with their
 * events (`user:link-account`, `user:unlink-account`; docs/events.md#event-names).
 */
export function createAccounts(deps: AccountsDeps) {
  const { repos, clock, emit } = deps;

  function identityRow(
    user: UserRow,
    idp: Pick<ExtIdpRow, "id" | "type">,
    subject: string,
    type: string,
    conn?: ExtIdpConnRow,
    account?: UpstreamAccount,
  ): IdentityRow {
    return {
      id: newId(),
      pool_id: user.pool_id,
      user_id: user.id,
      ext_idp_id: idp.id,
      provider: idp.type,
      type,
      user_id_in_idp: subject,
      user_info: account ? JSON.stringify(account.claims).slice(0, 16_000) : null,
      origin_conn_ids: JSON.stringify(conn ? [conn.id] : []),
      created_at: clock.now(),
    };
  }

  return {
    /**
     * Links the upstream account to `user` (inside `tx` when given) and emits `user:link-account`.
     * Linked to this user already: nothing changes. Linked to another: IDENTITY_TAKEN.
     */
    async link(
      tx: Repositories,
      origin: EventOrigin,
      user: UserRow,
      idp: Pick<ExtIdpRow, "id" | "type">,
      subject: string,
      options: { type?: string; conn?: ExtIdpConnRow; account?: UpstreamAccount } = {},
    ): Promise<void> {
      const type = options.type ?? IDENTITY_TYPE;
      await withEvents(tx, async (t) => {
        const existing = await t.identities.findIdentityInIdp(user.pool_id, idp.id, subject, type);
        if (existing) {
          if (existing.user_id !== user.id) throw new ApiError("IDENTITY_TAKEN");
          return;
        }
        try {
          await t.identities.insertIdentity(
            identityRow(user, idp, subject, type, options.conn, options.account),
          );
        } catch (err) {
          if (uniqueViolation(err)?.kind === "identity") throw new ApiError("IDENTITY_TAKEN");
          // The user deleted since the caller read them (docs/behaviour-and-errors.md §1.10).
          if (isForeignKeyViolation(err)) throw new ApiError("USER_NOT_FOUND");
          throw err;
        }
        await emit(
          t,
          origin,
          userEvent("user:link-account", user, {
            extIdpId: idp.id,
            provider: idp.type,
            userIdInIdp: subject,
            ...(options.conn ? { extIdpConnId: options.conn.id } : {}),
          }),
        );
      });
    },

    /**
     * Takes the user's identities at `extIdpId` away (of `type` when given) and emits
     * `user:unlink-account`; refused when they are the user's last way to sign in.
     */
    async unlink(origin: EventOrigin, user: UserRow, extIdpId: string, type?: string): Promise<void> {
      const all = await repos.identities.listIdentitiesByUser(user.id);
      const going = all.filter((i) => i.ext_idp_id === extIdpId && (type === undefined || i.type === type));
      if (going.length === 0) throw new ApiError("IDENTITY_NOT_FOUND");
      const byPassword = user.password_hash !== null && (user.username !== null || user.email !== null);
      const byCode = user.email !== null || user.phone !== null;
      if (!byPassword && !byCode && going.length === all.length) throw new ApiError("LAST_LOGIN_METHOD");
      await withEvents(repos, async (t) => {
        if ((await t.identities.deleteUserIdentitiesOfIdp(user.id, extIdpId, type)) === 0)
          throw new ApiError("IDENTITY_NOT_FOUND");
        const first = going[0] as IdentityRow;
        await emit(
          t,
          origin,
          userEvent("user:unlink-account", user, {
            extIdpId,
            provider: first.provider,
            userIdInIdp: first.user_id_in_idp,
          }),
        );
      });
    },

    async listOf(userId: string): Promise<IdentityDto[]> {
      return (await repos.identities.listIdentitiesByUser(userId)).map(toIdentityDto);
    },
  };
}
export type Accounts = ReturnType<typeof createAccounts>;
