// The modules `npm run mutate` measures (docs/reliability.md §Mutation testing): the code where a
// missed regression is a security hole. Each lists the source files mutated and the test files that
// exercise them — only those run, and per file of coverage only the ones that reach a mutant.
// Every test file here is in-process (buildApp + inject): a mutant is switched on inside the test's
// own process, and its coverage is read there.
const src = (p) => `packages/server/src/${p}`;
const test = (p) => `packages/server/test/${p}.test.ts`;

export const modules = {
  "management-signature": {
    mutate: [src("services/admin/management-signature.ts"), "packages/protocol/src/management-signature.ts"],
    tests: [
      test("admin/signature-ambiguity-rules"),
      test("admin/signature-canonical"),
      test("admin/signature-parsing"),
      test("admin/signature-ambiguity"),
      test("admin/signature"),
      test("reliability/attacks-tokens"),
    ],
  },
  decrypt: {
    mutate: [src("services/auth/passwords/decrypt.ts")],
    tests: [
      test("auth/passwords/passwords"),
      test("auth/passwords/rsa-decrypt"),
      test("auth/passwords/rsa-implicit-rejection"),
    ],
  },
  "flow-tokens": {
    mutate: [src("services/codes/flow-tokens.ts")],
    tests: [test("profile/flow-tokens"), test("profile/flow-token-lifecycle"), test("profile/change-phone")],
  },
  "code-engine": {
    mutate: [
      src("services/codes/engine.ts"),
      src("services/codes/code-secret.ts"),
      src("services/codes/requests.ts"),
    ],
    tests: [
      test("codes/engine"),
      test("codes/engine-mutants"),
      test("codes/limits"),
      test("codes/pumping"),
      test("messaging/routes"),
    ],
  },
  // The token service in two parts (the whole takes hours on a loaded machine): the JWS and the
  // session cache, whose own fast suites come first, and the token service above them.
  "tokens-jwt-sessions": {
    mutate: [src("services/tokens/jwt.ts"), src("services/tokens/sessions.ts")],
    tests: [
      test("tokens/jwt"),
      test("tokens/sessions-cache"),
      test("tokens/token-edges"),
      test("tokens/tokens"),
    ],
  },
  "tokens-service": {
    mutate: [src("services/tokens/tokens.ts")],
    tests: [
      // The login's session, the ID token alone and the verified-token cache, on the service itself.
      test("tokens/grant-edges"),
      // Introspection, revocation, ID-token hints and claims, scope narrowing: the service called
      // directly where it can be, a few seconds per dialect.
      test("tokens/introspect-edges"),
      test("tokens/token-edges"),
      test("tokens/tokens"),
      test("reliability/attacks-tokens"),
      test("oidc/endpoints"),
      test("oidc/logout-and-userinfo"),
      test("auth/sign-in"),
      test("tokens/refresh-purge"),
      test("tokens/sign-off-thread"),
      test("oidc/client-credentials"),
    ],
  },
  // services/profile/*.ts in three parts, each with the suites of its flows (the whole takes hours).
  "profile-contact": {
    mutate: [
      src("services/profile/change-contact.ts"),
      src("services/profile/change-phone.ts"),
      src("services/profile/change-email.ts"),
    ],
    tests: [test("profile/change-phone"), test("profile/change-email")],
  },
  "profile-password-bind": {
    mutate: [
      src("services/profile/password.ts"),
      src("services/profile/bind.ts"),
      src("services/profile/checks.ts"),
    ],
    // checks.ts holds the rules of every profile flow: the change flows (old pair, new value) are
    // pinned in change-phone and change-email, validate-password in info.
    tests: [
      test("profile/password"),
      test("profile/reset-password"),
      test("profile/bind"),
      test("profile/unbind-race"),
      test("profile/info"),
      test("profile/change-phone"),
      test("profile/change-email"),
    ],
  },
  "profile-account": {
    mutate: [
      src("services/profile/profile.ts"),
      src("services/profile/delete-account.ts"),
      src("services/profile/deps.ts"),
      src("services/profile/index.ts"),
    ],
    tests: [test("profile/info"), test("profile/delete-account")],
  },
  oidc: {
    mutate: [
      src("services/oidc/user-info.ts"),
      src("services/oidc/logout.ts"),
      src("services/oidc/end-session.ts"),
    ],
    tests: [test("oidc/logout-and-userinfo"), test("oidc/endpoints"), test("tokens/tokens")],
  },
  // The OpenID Provider's checks: what an authorization request must be (client, redirect URI,
  // PKCE, response type and mode, scope, prompt, nonce, max_age) and the code grant that spends it.
  "oidc-provider": {
    mutate: [
      src("services/oidc/authorize/check-*.ts"),
      src("services/oidc/authorize/validate.ts"),
      src("services/oidc/grants/authorization-code.ts"),
      src("services/oidc/authorization-codes.ts"),
    ],
    tests: [
      // First, the checks one rule each, the request's called directly and the code grant's at the
      // token endpoint (a few seconds each): most mutants stop here.
      test("oidc/authorize-checks"),
      test("oidc/code-grant"),
      test("oidc/authorize-errors"),
      test("oidc/code-flow"),
      test("oidc/grants"),
      test("oidc/oauth-mode"),
      test("oidc/endpoint-client-auth"),
      // The first run (58 %) had only the five above: web_message, acr_values, prompt and max_age
      // at the hosted pages, and the implicit and hybrid types are pinned in these.
      test("oidc/web-message"),
      test("oidc/amr-acr"),
      test("oidc/interactions"),
      test("oidc/sign-in-records"),
      // Not oidc/authing-web: it drives Chromium (41 s alone, against 11–26 s for the others) and
      // pins nothing of these files that authorize-checks does not (the implicit and hybrid types,
      // their response modes and nonce); it stays in `npm test`.
    ],
  },
};
