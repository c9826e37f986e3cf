import { describeUserAgent } from "../../../lib/user-agent.js";
import type { AccountSection } from "../types.js";

/** The newest sign-ins of get-my-login-history, failures marked. */
export const HISTORY_SHOWN = 20;

export const historySection: AccountSection = {
  id: "history",
  sensitive: false,
  async load(ctx, scene) {
    const { list } = await ctx.auth.myLoginHistory(
      { poolId: scene.who.poolId, userId: scene.user.id },
      { page: 1, limit: HISTORY_SHOWN },
    );
    return {
      list: list.map((h) => {
        const ua = describeUserAgent(h.userAgent);
        return {
          at: h.loginAt,
          appName: h.appName,
          ip: h.clientIp,
          method: h.loginMethod,
          success: h.success,
          browser: [ua.name, ua.version].filter(Boolean).join(" "),
          os: ua.os,
        };
      }),
    };
  },
  actions: {},
};
