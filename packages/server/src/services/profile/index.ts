import { bindFlows } from "./bind.js";
import { changeEmailFlow } from "./change-email.js";
import { changePhoneFlow } from "./change-phone.js";
import { deleteAccountFlow } from "./delete-account.js";
import type { ProfileDeps } from "./deps.js";
import { passwordFlows } from "./password.js";
import { profileFlows } from "./profile.js";

/** The user-information module's services (issue 4), one object for the routes. */
export function profileService(deps: ProfileDeps) {
  return {
    ...profileFlows(deps),
    ...bindFlows(deps),
    ...changePhoneFlow(deps),
    ...changeEmailFlow(deps),
    ...passwordFlows(deps),
    ...deleteAccountFlow(deps),
  };
}
export type ProfileService = ReturnType<typeof profileService>;
export type { AppCall, ChangeNotice, ProfileDeps, SelfService } from "./deps.js";
export { assertOnlyProfileFields, securityInfo } from "./profile.js";
