export * from "./common.js";
export * from "./errors.js";
export * from "./messages.js";
export * from "./public.js";
export * from "./settings.js";
export * from "./user.js";
