import assert from "node:assert/strict";
import type { Harness } from "./harness.js";
import { FormBrowser } from "./pages.js";

/**
 * A browser signed in on the account page the way a person gets there: /account sends it to the
 * hosted sign-in, the password form signs it in, the OpenID Provider's resume returns it to /account.
 */
export async function accountBrowser(h: Harness, account: string, password: string): Promise<FormBrowser> {
  const b = new FormBrowser(h);
  const start = await b.get("/account");
  assert.equal(start.statusCode, 303, start.body);
  const signIn = String(start.headers.location);
  assert.match(signIn, /^\/interaction\/[A-Za-z0-9_-]+$/);
  await b.get(`${signIn}?method=password`);
  const done = await b.post(`${signIn}/password`, { account, password });
  assert.equal(done.statusCode, 303, done.body);
  const resumed = await b.get(String(done.headers.location));
  assert.equal(resumed.statusCode, 303, resumed.body);
  assert.equal(resumed.headers.location, "/account");
  const page = await b.get("/account");
  assert.equal(page.statusCode, 200, page.body);
  return b;
}

/** The text of an element with this id (entities decoded). */
export function textOf(html: string, id: string): string | undefined {
  const m = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  return m?.[1]
    ?.replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** The error shown next to a field (`<p id="<field>-error">`). */
export function fieldError(html: string, id: string): string | undefined {
  return textOf(html, `${id}-error`);
}
