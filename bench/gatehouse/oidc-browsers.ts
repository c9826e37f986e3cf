import { updateAppConfig } from "@gatehouse/server/dist/services/tokens/app-config.js";
import { Browser } from "../lib/browser.js";
import { benchConfig, withBenchContext } from "./bench-context.js";
import type { FreshDatabase } from "./database.js";

/**
 * What the bench needs of the authorization endpoint's interactions (the contract between the
 * authorization endpoint and the hosted pages): `finishLogin` opens the browser session and
 * returns its cookie; `finishConsent` grants a consent interaction.
 */
interface Interactions {
  find(uid: string): Promise<{ kind: "login" | "consent" } | undefined>;
  finishLogin(
    uid: string,
    who: { userId: string; method: "password"; ip: string; userAgent: string },
  ): Promise<{ redirectTo: string; cookie: { name: string; value: string } }>;
  finishConsent(uid: string, answer: { granted: boolean }): Promise<{ redirectTo: string }>;
}

/** Registers the bench's redirect URI on the default application, before the server first reads it. */
export function registerRedirect(db: FreshDatabase, appId: string, redirectUri: string): Promise<void> {
  return withBenchContext(benchConfig(db), async (ctx) => {
    if (!(await updateAppConfig(ctx.repos, ctx.clock, appId, { redirectUris: [redirectUri] })))
      throw new Error("bench application is missing");
  });
}

/**
 * Signs one browser per user in at the running server: its authorization request is sent to sign
 * in (`/interaction/<uid>`), the interaction is finished as the hosted sign-in page would, and the
 * browser follows the redirects until the client's redirect URI receives a code. Returns the
 * browsers' cookies; undefined when the server has no interactions to finish.
 */
export async function signInBrowsers(
  db: FreshDatabase,
  authorizeUrl: string,
  redirectUri: string,
  userIds: string[],
): Promise<string[] | undefined> {
  return withBenchContext(benchConfig(db), async (ctx) => {
    const interactions = (ctx.oidc as unknown as { interactions?: Interactions }).interactions;
    if (!interactions) return undefined;
    const cookies: string[] = [];
    for (const userId of userIds) {
      const browser = new Browser();
      let hop = await browser.request(authorizeUrl);
      for (let step = 0; step < 10 && !hop.location?.startsWith(redirectUri); step++) {
        const uid = hop.location && /\/interaction\/([^/?#]+)/.exec(new URL(hop.location).pathname)?.[1];
        if (!uid) {
          if (!hop.location) throw new Error(`authorize answered ${hop.status}: ${hop.body.slice(0, 200)}`);
          hop = await browser.request(hop.location);
          continue;
        }
        const found = await interactions.find(uid);
        let next: string;
        if (found?.kind === "consent")
          next = (await interactions.finishConsent(uid, { granted: true })).redirectTo;
        else {
          const done = await interactions.finishLogin(uid, {
            userId,
            method: "password",
            ip: "127.0.0.1",
            userAgent: "gatehouse-bench",
          });
          browser.set(done.cookie.name, done.cookie.value);
          next = done.redirectTo;
        }
        hop = await browser.request(new URL(next, authorizeUrl).toString());
      }
      if (!hop.location?.startsWith(redirectUri) || !new URL(hop.location).searchParams.get("code"))
        throw new Error(
          `the browser of ${userId} got no code: ${hop.status} ${hop.location ?? hop.body.slice(0, 200)}`,
        );
      cookies.push(browser.cookie());
    }
    return cookies;
  });
}
