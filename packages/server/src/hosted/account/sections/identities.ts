import type { AccountQuery } from "../forms.js";
import { field } from "../forms.js";
import { ACCOUNT_PATH } from "../scene.js";
import type { AccountSection, ActionInput } from "../types.js";

/**
 * Linked accounts (docs/account-page.md §Linked accounts): the user's identities at external identity
 * providers, linking another through a round trip to its upstream (back to this page), and unlinking
 * one — never the last way to sign in. The same services generate-link-extidp-url and unlink-extidp call.
 */

/** Where the link round trip comes back to: this page, its language and application kept. */
function returnTo({ ctx, request }: ActionInput): string {
  const q = request.query as AccountQuery;
  const params = new URLSearchParams({ done: "accountLinked" });
  if (q.ui_locales) params.set("ui_locales", q.ui_locales);
  if (q.app_id) params.set("app_id", q.app_id);
  return `${ctx.config.publicUrl}${ACCOUNT_PATH}?${params}#identities`;
}

export const identitiesSection: AccountSection = {
  id: "identities",
  sensitive: true,
  async load(ctx, scene) {
    const [linked, linkable] = await Promise.all([
      ctx.identities.linkedAccounts(scene.user),
      ctx.identities.linkableConns(scene.user, scene.scope.app.id),
    ]);
    return { linked, linkable };
  },
  actions: {
    link: {
      sensitive: true,
      async run(input) {
        const { ctx, scene, body } = input;
        const url = await ctx.identities.linkFromAccount(
          scene.user,
          scene.scope.app.id,
          field(body.connId),
          returnTo(input),
        );
        return { redirect: url };
      },
    },
    unlink: {
      sensitive: true,
      async run({ ctx, scene, body }) {
        await ctx.identities.unlinkMine(
          scene.who.meta.origin,
          scene.who.poolId,
          scene.user.id,
          field(body.extIdpId),
        );
        return { done: "accountUnlinked" };
      },
    },
  },
};
