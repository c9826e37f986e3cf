import { field } from "../forms.js";
import type { AccountSection } from "../types.js";

/** Every signed-in session with its application, device, IP and last activity; sign out one or all others. */
export const sessionsSection: AccountSection = {
  id: "sessions",
  sensitive: false,
  async load(ctx, scene) {
    const list = await ctx.account.devices.list(scene.who.poolId, scene.user.id, scene.session.sessionId);
    return { list };
  },
  actions: {
    end: {
      sensitive: false,
      async run({ ctx, scene, body }) {
        await ctx.account.devices.endOne(
          scene.who.meta.origin,
          scene.who.poolId,
          scene.user.id,
          field(body.sessionId),
          scene.session.sessionId,
        );
        return { done: "sessionEnded" };
      },
    },
    "end-others": {
      sensitive: false,
      async run({ ctx, scene }) {
        await ctx.account.devices.endOthers(
          scene.who.meta.origin,
          scene.who.poolId,
          scene.user.id,
          scene.session.sessionId,
        );
        return { done: "othersEnded" };
      },
    },
  },
};
