import { bindFlows } from "./bind.js";
import { changeEmailFlow } from "./change-email.js";
import { changePhoneFlow } from "./change-phone.js";
import { deleteAccountFlow } from "./delete-account.js";
import type { ProfileDeps } from "./deps.js";
import { passwordFlows } from "./password.js";
import { profileFlows } from "./profile.js";

/** The user-information module's services, one object for the routes; built once as `ctx.profile`. */
export function createProfile(deps: ProfileDeps) {
  return {
    ...profileFlows(deps),
    ...bindFlows(deps),
    ...changePhoneFlow(deps),
    ...changeEmailFlow(deps),
    ...passwordFlows(deps),
    ...deleteAccountFlow(deps),
  };
}
export type ProfileService = ReturnType<typeof createProfile>;
export type { AppCall, ChangeNotice, ProfileDeps, SelfService } from "./deps.js";
export { assertOnlyProfileFields, securityInfo } from "./profile.js";
