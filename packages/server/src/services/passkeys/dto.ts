import type { PasskeyDto } from "@gatehouse/protocol";
import type { WebauthnCredentialRow } from "../../storage/repos/webauthn.js";

export function toPasskeyDto(row: WebauthnCredentialRow): PasskeyDto {
  return {
    id: row.id,
    credentialId: row.credential_id,
    name: row.name,
    authenticatorCode: row.authenticator_code,
    aaguid: row.aaguid,
    transports: JSON.parse(row.transports) as string[],
    deviceType: row.device_type,
    backedUp: row.backed_up === 1,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    lastUsedAt: row.last_used_at === null ? null : new Date(Number(row.last_used_at)).toISOString(),
  };
}
