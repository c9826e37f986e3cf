import { type AccountDevicesDeps, createAccountDevices } from "./devices.js";
import { createReauth, type ReauthDeps } from "./reauth.js";

export type { DeviceSession } from "./devices.js";
export type { ReauthMethod } from "./reauth.js";

/**
 * What the hosted account page needs beyond the services the V3 API shares with it
 * (docs/account-page.md): the user's sessions and devices, and re-authentication.
 */
export function createAccount(deps: AccountDevicesDeps & ReauthDeps) {
  return { devices: createAccountDevices(deps), reauth: createReauth(deps) };
}
export type Account = ReturnType<typeof createAccount>;
