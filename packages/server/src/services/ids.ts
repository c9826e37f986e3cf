import { randomBytes } from "node:crypto";

/** 24 hex characters, the shape of GenAuth's ids. */
export function newId(): string {
  return randomBytes(12).toString("hex");
}

/** A random secret of 32 hex characters (app secrets, pool secrets). */
export function newSecret(): string {
  return randomBytes(16).toString("hex");
}
