export { AuthenticationClient } from "./authentication-client.js";
export type { AuthenticationClientOptions, ClientAuthMethod, TokenSet } from "./client-core.js";
export {
  type Envelope,
  GatehouseError,
  GatehouseNetworkError,
  GatehouseTimeoutError,
  GatehouseTokenError,
  type TokenErrorReason,
} from "./errors.js";
export { ManagementClient, type ManagementClientOptions } from "./management-client.js";
export { encryptPassword } from "./rsa.js";
export { canonicalResource, stringToSign } from "./signature.js";
export type { FetchLike } from "./transport.js";
export type * from "./types.js";
