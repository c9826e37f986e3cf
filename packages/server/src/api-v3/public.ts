import { authPaths, CountryListResponse, SystemInfo } from "@gatehouse/protocol";
import type { FastifyInstance } from "fastify";
import type { Context } from "../context.js";
import { ok } from "../http/envelope.js";
import { security } from "../http/openapi-security.js";
import { countryList } from "../lib/countries.js";
import { SERVER_VERSION } from "../version.js";

/** Public information endpoints ("其他 / 公开信息端点"), docs/wire-contract.md §3h. */
export function publicRoutes(ctx: Context) {
  return async (app: FastifyInstance) => {
    const system: SystemInfo = {
      rsa: { publicKey: ctx.keys.rsaPublicKeyPem },
      sm2: { publicKey: "" },
      version: { server: SERVER_VERSION, console: SERVER_VERSION, login: SERVER_VERSION },
      publicIps: [],
    };
    app.get(
      authPaths.system,
      {
        schema: {
          tags: ["public"],
          summary: "Server public keys and version (no envelope)",
          security: security.public,
          response: { 200: SystemInfo },
        },
      },
      async () => system,
    );
    app.get(
      authPaths.getCountryList,
      {
        schema: {
          tags: ["public"],
          summary: "Countries and calling codes",
          security: security.public,
          response: { 200: CountryListResponse },
        },
      },
      async (request) => ok(request, countryList()),
    );
  };
}
