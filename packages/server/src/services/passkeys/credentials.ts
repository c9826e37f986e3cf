import type { PageQuery, PasskeyDto } from "@gatehouse/protocol";
import { ApiError } from "../../errors.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { WebauthnCredentialRow } from "../../storage/repos/webauthn.js";
import { type Emit, withEvents } from "../events/emit.js";
import { toPasskeyDto } from "./dto.js";
import type { PasskeyOwner } from "./registration.js";

/** A user's own passkeys: list, rename, remove (docs/passkeys.md §Managing passkeys). */
export function createCredentials({ repos, emit }: { repos: Repositories; emit: Emit }) {
  async function removed(owner: PasskeyOwner, rows: WebauthnCredentialRow[], tx: Repositories) {
    for (const row of rows) {
      await emit(tx, owner.origin, {
        poolId: owner.poolId,
        name: "user:passkey-removed",
        userId: owner.userId,
        data: { userId: owner.userId, passkey: toPasskeyDto(row) },
      });
    }
  }

  async function find(owner: PasskeyOwner, id: string): Promise<WebauthnCredentialRow> {
    const row = await repos.webauthn.findUserCredential(owner.poolId, owner.userId, id);
    if (!row) throw new ApiError("PASSKEY_NOT_FOUND");
    return row;
  }

  return {
    async list(owner: PasskeyOwner): Promise<PasskeyDto[]> {
      return (await repos.webauthn.listUserCredentials(owner.poolId, owner.userId)).map(toPasskeyDto);
    },

    async page(owner: PasskeyOwner, q: PageQuery): Promise<{ totalCount: number; list: PasskeyDto[] }> {
      const [totalCount, rows] = await Promise.all([
        repos.webauthn.countUserCredentials(owner.poolId, owner.userId),
        repos.webauthn.listUserCredentialPage(owner.poolId, owner.userId, {
          offset: (q.page - 1) * q.limit,
          limit: q.limit,
        }),
      ]);
      return { totalCount, list: rows.map(toPasskeyDto) };
    },

    /** Which of `ids` (credential ids or our ids) are the user's passkeys, as credential ids. */
    async validCredentialIds(owner: PasskeyOwner, ids: string[]): Promise<string[]> {
      const mine = await repos.webauthn.listUserCredentials(owner.poolId, owner.userId);
      const wanted = new Set(ids);
      return mine.filter((c) => wanted.has(c.credential_id) || wanted.has(c.id)).map((c) => c.credential_id);
    },

    /** `id`: our id or the credential id. */
    async rename(owner: PasskeyOwner, id: string, name: string): Promise<PasskeyDto> {
      const row = await find(owner, id);
      const trimmed = name.trim();
      if (!trimmed) throw new ApiError("INVALID_REQUEST");
      const dto = toPasskeyDto({ ...row, name: trimmed });
      await withEvents(repos, async (tx) => {
        await tx.webauthn.renameCredential(owner.poolId, owner.userId, row.id, trimmed);
        await emit(tx, owner.origin, {
          poolId: owner.poolId,
          name: "user:passkey-updated",
          userId: owner.userId,
          data: { userId: owner.userId, passkey: dto },
        });
      });
      return dto;
    },

    async remove(owner: PasskeyOwner, id: string): Promise<void> {
      const row = await find(owner, id);
      await withEvents(repos, async (tx) => {
        if (!(await tx.webauthn.deleteCredential(owner.poolId, owner.userId, row.id)))
          throw new ApiError("PASSKEY_NOT_FOUND");
        await removed(owner, [row], tx);
      });
    },

    /** GenAuth's remove-credentials-by-authenticator-code: every passkey of that kind. */
    async removeByCode(owner: PasskeyOwner, code: string): Promise<number> {
      return withEvents(repos, async (tx) => {
        const rows = await tx.webauthn.deleteCredentialsByCode(owner.poolId, owner.userId, code);
        await removed(owner, rows, tx);
        return rows.length;
      });
    },
  };
}
