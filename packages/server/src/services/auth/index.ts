import type { Kysely } from "kysely";
import type { Clock } from "../../lib/clock.js";
import type { Repositories } from "../../storage/repos/index.js";
import type { Database } from "../../storage/schema.js";
import type { CodeService } from "../codes/engine.js";
import type { Emit } from "../events/emit.js";
import type { Mfa } from "../mfa/index.js";
import type { SecretBox } from "../secrets/secret-box.js";
import type { Sessions } from "../tokens/sessions.js";
import type { Tokens } from "../tokens/tokens.js";
import type { AuditService } from "../users/audit.js";
import { createClientAuth } from "./client-auth.js";
import type { LoginGuard } from "./lockout.js";
import { createLoginHistory } from "./login-history.js";
import { createMfaStep } from "./mfa-step.js";
import type { PasswordService } from "./passwords/hashing.js";
import { createAppScopes } from "./scope.js";
import { createSignIn } from "./sign-in.js";
import { createSignUp } from "./sign-up.js";
import type { SignUpLimits } from "./sign-up-limits.js";

export interface AuthDeps {
  db: Kysely<Database>;
  repos: Repositories;
  passwords: PasswordService;
  codes: CodeService;
  tokens: Tokens;
  sessions: Sessions;
  audit: AuditService;
  loginGuard: LoginGuard;
  signUpLimits: SignUpLimits;
  emit: Emit;
  clock: Clock;
  /** Opens the applications' sealed secrets (client authentication). */
  box: SecretBox;
  /** Base of the default avatar URL (services/users/dto.ts). */
  publicUrl: string;
  /** Application access control: may this user sign in to this application? */
  mayUseApp?: (poolId: string, appId: string, userId: string) => Promise<boolean>;
  /** The MFA step of `/api/v3/signin` (docs/mfa.md). */
  mfa: Mfa;
  /** The server secret: keys what the MFA step derives (services/auth/mfa-step.ts). */
  secret: string;
}

/**
 * Sign-up, sign-in and what the routes around them ask: which application and pool a request
 * speaks for, client authentication, the user's own login history. Built once, as `ctx.auth`.
 */
export function createAuth(deps: AuthDeps) {
  const { repos, clock } = deps;
  const loginHistory = createLoginHistory({ repos, clock });
  return {
    ...createAppScopes({ repos }),
    ...createClientAuth({ repos, box: deps.box }),
    ...createSignUp(deps),
    ...createSignIn({ ...deps, loginHistory }),
    /** The MFA step that completes an API sign-in (docs/mfa.md §The API's MFA step). */
    mfaStep: createMfaStep(deps),
    myLoginHistory: loginHistory.myLoginHistory,
    myLoggedInApps: loginHistory.myLoggedInApps,
  };
}
export type Auth = ReturnType<typeof createAuth>;
export type { AppScope, RequestMeta } from "./scope.js";
export type { OutsideProof } from "./sign-in.js";
