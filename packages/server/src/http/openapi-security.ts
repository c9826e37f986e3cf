import type { FastifyInstance, RouteOptions } from "fastify";

/**
 * How each operation of /openapi.json says it is called (docs/wire-contract.md §1.2–1.4). The
 * requirement is read off the hooks that actually authenticate the route — `requireAppScope`,
 * `requireUser`, `requireManagement` mark what they check — so the document cannot claim a check
 * the route does not make. Routes without such a hook state theirs in their schema (`security: []`
 * for a public route); a test fails on any operation that names none.
 */
export type SecurityRequirement = Record<string, string[]>;

export const securitySchemes = {
  appId: {
    type: "apiKey",
    in: "header",
    name: "x-authing-app-id",
    description:
      "The application's id: names the application (and so the user pool) an anonymous call is for.",
  },
  userToken: {
    type: "apiKey",
    in: "header",
    name: "authorization",
    description:
      "A user's access token from sign-in or /oidc/token: bare (`authorization: <token>`, as the official SDK sends it) or `Bearer <token>`.",
  },
  managementSignature: {
    type: "apiKey",
    in: "header",
    name: "authorization",
    description:
      "A signed management request: `authorization: authing <accessKeyId>:<signature>` with the headers `date`, `x-authing-signature-method: HMAC-SHA1`, `x-authing-signature-version: 1.0`, `x-authing-signature-nonce` and `x-authing-userpool-id`; the signature is HMAC-SHA1 with the access key's secret over the canonical string of docs/wire-contract.md §1.4.",
  },
  managementToken: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A management token from `POST /api/v3/get-management-token` (access key id and secret).",
  },
  mfaToken: {
    type: "http",
    scheme: "bearer",
    description:
      "The `mfaToken` of a sign-in that answered 1635/1636: the MFA step's only credential (docs/mfa.md).",
  },
  clientSecretBasic: {
    type: "http",
    scheme: "basic",
    description:
      "OAuth client authentication (`client_secret_basic`): the application's id and secret. `client_secret_post` sends them as `client_id`/`client_secret` form fields instead, and public clients (`none`) send only `client_id` — the unauthenticated alternative of these operations.",
  },
} as const;

export type SecurityScheme = keyof typeof securitySchemes;

export const security = {
  public: [] as SecurityRequirement[],
  app: [{ appId: [] }] as SecurityRequirement[],
  user: [{ userToken: [] }] as SecurityRequirement[],
  management: [{ managementSignature: [] }, { managementToken: [] }] as SecurityRequirement[],
  /** The MFA step of a sign-in: the sign-in's MFA token. */
  mfaToken: [{ mfaToken: [] }] as SecurityRequirement[],
  /** `/oidc/token` and its siblings: client authentication, or none for public clients. */
  oauthClient: [{ clientSecretBasic: [] }, {}] as SecurityRequirement[],
};

const marks = new WeakMap<object, SecurityRequirement>();

/** Marks an authenticating hook with what it checks (merged with the route's other marks). */
export function securedBy<H extends object>(
  hook: H,
  requirement: Partial<Record<SecurityScheme, string[]>>,
): H {
  marks.set(hook, requirement as SecurityRequirement);
  return hook;
}

function hooksOf(route: RouteOptions): unknown[] {
  return [route.onRequest, route.preValidation, route.preHandler].flatMap((h) =>
    h === undefined ? [] : Array.isArray(h) ? h : [h],
  );
}

/** Sets `schema.security` of a route from its marked hooks (all of them at once: one requirement). */
function fromHooks(route: RouteOptions): void {
  if (route.schema?.hide || (route.schema as { security?: unknown } | undefined)?.security) return;
  const merged: SecurityRequirement = {};
  let found = false;
  for (const hook of hooksOf(route)) {
    const mark = typeof hook === "function" ? marks.get(hook) : undefined;
    if (!mark) continue;
    Object.assign(merged, mark);
    found = true;
  }
  if (found) route.schema = { ...(route.schema ?? {}), security: [merged] } as typeof route.schema;
}

/** Registered once, before the routes: every route's requirement is derived as it is added. */
export function deriveSecurity(app: FastifyInstance): void {
  app.addHook("onRoute", fromHooks);
}

/** For a scope whose authentication is a scope-wide hook (the management API): every route in it. */
export function scopeSecurity(app: FastifyInstance, requirement: SecurityRequirement[]): void {
  app.addHook("onRoute", (route) => {
    if (route.schema?.hide) return;
    route.schema = { ...(route.schema ?? {}), security: requirement } as typeof route.schema;
  });
}

type OpenApiOperation = {
  parameters?: { name: string; in: string; example?: unknown }[];
  requestBody?: { content?: Record<string, { example?: unknown }> };
  responses?: Record<string, { content?: Record<string, { example?: unknown }> }>;
};

/** Attaches the example request and answer of each operation that has one (protocol's examples). */
export function withExamples<D extends { paths?: object }>(
  document: D,
  examples: Record<string, { request?: Record<string, unknown>; response: unknown }>,
): D {
  for (const [path, example] of Object.entries(examples)) {
    const item = (document.paths as Record<string, Record<string, OpenApiOperation>> | undefined)?.[path];
    for (const op of Object.values(item ?? {})) {
      for (const content of Object.values(op.requestBody?.content ?? {})) content.example = example.request;
      for (const param of op.parameters ?? []) {
        if (param.in === "query" && example.request && param.name in example.request)
          param.example = example.request[param.name];
      }
      for (const content of Object.values(op.responses?.["200"]?.content ?? {}))
        content.example = example.response;
    }
  }
  return document;
}
