/**
 * Who the passkeys are for (docs/passkeys.md §Relying party): the RP id is the public URL's host
 * unless configured (a parent domain lets applications on sibling hosts use the same passkeys);
 * responses are accepted from the public URL's origin and the configured extra origins.
 */
export interface RelyingParty {
  id: string;
  origins: string[];
}

export function relyingParty(config: {
  publicUrl: string;
  webauthnRpId?: string;
  webauthnOrigins: string[];
}): RelyingParty {
  const url = new URL(config.publicUrl);
  const id = (config.webauthnRpId ?? url.hostname).toLowerCase();
  const host = url.hostname.toLowerCase();
  // A browser refuses an RP id that is neither the page's host nor a parent domain of it.
  if (host !== id && !host.endsWith(`.${id}`)) {
    throw new Error(`GATEHOUSE_WEBAUTHN_RP_ID ${id} is not ${host} nor a parent domain of it`);
  }
  return { id, origins: [...new Set([url.origin, ...config.webauthnOrigins])] };
}
