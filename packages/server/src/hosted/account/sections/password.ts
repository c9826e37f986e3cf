import { ApiError } from "../../../errors.js";
import type { AccountSection } from "../types.js";

/** Change the password (the old one required), or set one on an account that has none: update-password. */
export const passwordSection: AccountSection = {
  id: "password",
  sensitive: true,
  async load(_ctx, scene) {
    return { hasPassword: scene.user.password_hash !== null };
  },
  fieldOf(err) {
    if (!(err instanceof ApiError)) return undefined;
    if (err.key === "OLD_PASSWORD_WRONG" || err.key === "OLD_PASSWORD_REQUIRED") return "oldPassword";
    if (err.key === "WEAK_PASSWORD" || err.key.startsWith("PASSWORD")) return "newPassword";
    return undefined;
  },
  actions: {
    change: {
      sensitive: true,
      async run({ ctx, scene, body }) {
        const newPassword = body.newPassword ?? "";
        if (!newPassword) throw new ApiError("WEAK_PASSWORD");
        const hasPassword = scene.user.password_hash !== null;
        await ctx.profile.updatePassword(scene.who, {
          newPassword,
          ...(hasPassword ? { oldPassword: body.oldPassword ?? "" } : {}),
        });
        return { done: hasPassword ? "passwordChanged" : "passwordSet" };
      },
    },
  },
};
