import { ApiError } from "../../../errors.js";
import { describeUserAgent } from "../../../lib/user-agent.js";
import { sessionBinding } from "../../../services/passkeys/index.js";
import type { PasskeyOwner } from "../../../services/passkeys/registration.js";
import { registrationOf } from "../../webauthn-form.js";
import { field } from "../forms.js";
import type { AccountScene, AccountSection } from "../types.js";

/**
 * Passkeys (docs/account-page.md §Passkeys): the user's passkeys with when they were made and last
 * used, add one (the browser's ceremony, `assets/passkey-add.js`), rename, remove — through
 * `ctx.passkeys`, as the V3 `webauthn` endpoints. The ceremony's ticket is bound to this browser
 * session: a ticket shown to another session does not add a passkey here.
 */
const owner = (scene: AccountScene): PasskeyOwner => ({
  poolId: scene.who.poolId,
  userId: scene.who.userId,
  origin: scene.who.meta.origin,
});
const binding = (scene: AccountScene) => sessionBinding(scene.session.sessionId);

export const passkeysSection: AccountSection = {
  id: "passkeys",
  sensitive: true,
  async load(ctx, scene) {
    const passkeys = await ctx.passkeys.credentials.list(owner(scene));
    // Options only for a page that can use them: a stale sign-in shows "confirm it is you" instead.
    const started = scene.fresh
      ? await ctx.passkeys.registration.start(owner(scene), binding(scene))
      : undefined;
    const ua = describeUserAgent(scene.who.meta.userAgent);
    return {
      passkeys,
      suggestedName: [ua.name, ua.os].filter(Boolean).join(" · ").slice(0, 64),
      register: started && {
        ticket: started.ticket,
        options: JSON.stringify(started.registrationOptions),
      },
    };
  },
  fieldOf(err) {
    if (err instanceof ApiError && err.key === "INVALID_REQUEST") return "passkeyName";
    return undefined;
  },
  actions: {
    add: {
      sensitive: true,
      async run({ ctx, scene, body }) {
        const name = field(body.name);
        await ctx.passkeys.registration.finish(
          owner(scene),
          {
            ticket: field(body.ticket),
            registrationCredential: registrationOf(body.credential),
            ...(name ? { name } : {}),
          },
          binding(scene),
        );
        return { done: "passkeyAdded" };
      },
    },
    rename: {
      sensitive: true,
      async run({ ctx, scene, body }) {
        await ctx.passkeys.credentials.rename(owner(scene), field(body.passkeyId), field(body.name));
        return { done: "passkeyRenamed" };
      },
    },
    remove: {
      sensitive: true,
      async run({ ctx, scene, body }) {
        await ctx.passkeys.credentials.remove(owner(scene), field(body.passkeyId));
        return { done: "passkeyRemoved" };
      },
    },
  },
};
