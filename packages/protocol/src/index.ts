export * from "./auth.js";
export * from "./common.js";
export * from "./errors.js";
export * from "./login-history.js";
export * from "./oidc.js";
export * from "./public.js";
export * from "./settings.js";
export * from "./user.js";
