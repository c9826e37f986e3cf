import type { FastifyInstance } from "fastify";
import sjson from "secure-json-parse";
import { ApiError, bilingual } from "../errors.js";

/**
 * JSON body parser that tells the client what was wrong: Fastify's default one reports a
 * prototype-pollution key as "not valid JSON". `__proto__` and `constructor.prototype` are refused.
 * `allowEmpty`: an empty body is no body (the management SDK sends the JSON content type on body-less POSTs).
 */
export function registerJsonParser(app: FastifyInstance, options: { allowEmpty?: boolean } = {}): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0 && options.allowEmpty) {
      done(null, undefined);
      return;
    }
    if (text.length === 0) {
      done(
        new ApiError("INVALID_REQUEST", {
          texts: bilingual(
            "content-type 为 application/json 时请求体不能为空",
            "Body cannot be empty when content-type is application/json",
          ),
        }),
      );
      return;
    }
    try {
      done(null, sjson.parse(text, undefined, { protoAction: "error", constructorAction: "error" }));
    } catch (err) {
      done(
        /prototype/.test((err as Error).message)
          ? new ApiError("INVALID_REQUEST", {
              texts: bilingual(
                "请求体包含不允许的键（__proto__ 或 constructor.prototype）",
                "Request body contains a forbidden key (__proto__ or constructor.prototype)",
              ),
            })
          : new ApiError("MALFORMED_JSON"),
      );
    }
  });
}

/**
 * The official SDK posts its body-less WebAuthn calls (`webAuthnMfaVerifyInitalize`,
 * `webAuthnAdminInitialize` …) with axios's default form content type and an empty body: that is
 * no body. A form that says something is not what this API reads.
 */
export function acceptEmptyForm(app: FastifyInstance): void {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) =>
      body === "" ? done(null, undefined) : done(new ApiError("UNSUPPORTED_MEDIA_TYPE")),
  );
}
