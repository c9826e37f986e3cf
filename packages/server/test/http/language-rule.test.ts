import assert from "node:assert/strict";
import { it } from "node:test";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

/** docs/behaviour-and-errors.md §3.7: the same error in the language the caller asked for. */
describeEachDialect("answers in the caller's language", (h) => {
  const wrongCode = (headers: Record<string, string> = {}) =>
    h().api(
      "POST",
      "/api/v3/signin",
      { connection: "PASSCODE", passCodePayload: { phone: "13800000000", passCode: "000000" } },
      headers,
    );

  it("user side: x-authing-lang, then Accept-Language, then the pool's default language", async () => {
    const byHeader = await wrongCode({ "x-authing-lang": "zh-CN", "accept-language": "en" });
    const byAccept = await wrongCode({ "accept-language": "zh-CN,zh;q=0.9" });
    const byDefault = await wrongCode();
    for (const r of [byHeader, byAccept, byDefault]) assert.ok(r.statusCode >= 400, JSON.stringify(r));
    assert.deepEqual(
      [byHeader.statusCode, byHeader.apiCode],
      [byDefault.statusCode, byDefault.apiCode],
      "statusCode and apiCode never change with the language",
    );
    assert.match(byHeader.message, /[\u4e00-\u9fff]/);
    assert.match(byAccept.message, /[\u4e00-\u9fff]/);
    assert.doesNotMatch(byDefault.message, /[\u4e00-\u9fff]/);

    await patchPoolSettings(h(), { defaultLanguage: "zh-CN" });
    try {
      assert.match((await wrongCode()).message, /[\u4e00-\u9fff]/);
      assert.doesNotMatch((await wrongCode({ "accept-language": "en-GB" })).message, /[\u4e00-\u9fff]/);
    } finally {
      await patchPoolSettings(h(), { defaultLanguage: "en-US" });
    }
  });

  it("user side: validation messages in both languages", async () => {
    const bad = { connection: "PASSWORD", passwordPayload: { email: 42, password: "x" } };
    const en = await h().api("POST", "/api/v3/signin", bad, { "x-authing-lang": "en-US" });
    const zh = await h().api("POST", "/api/v3/signin", bad, { "x-authing-lang": "zh-CN" });
    assert.equal(en.statusCode, 400, JSON.stringify(en));
    assert.equal(en.message, "email must be a string");
    assert.equal(zh.message, "参数 email 格式错误");
  });

  it("user side: an error found before the application is resolved (schema, JSON) answers in the pool's default language", async () => {
    const bad = { connection: "PASSWORD", passwordPayload: { email: 42, password: "x" } };
    const unparsable = () =>
      h().inject({
        method: "POST",
        url: "/api/v3/signin",
        headers: { "content-type": "application/json", "x-authing-app-id": h().boot.appId },
        payload: "{not json",
      });
    assert.equal((await h().api("POST", "/api/v3/signin", bad)).message, "email must be a string");
    await patchPoolSettings(h(), { defaultLanguage: "zh-CN" });
    try {
      const r = await h().api("POST", "/api/v3/signin", bad);
      assert.deepEqual([r.statusCode, r.message], [400, "参数 email 格式错误"]);
      assert.equal((await unparsable()).json().message, "请求体不是合法的 JSON");
      const named = await h().api("POST", "/api/v3/signin", bad, { "x-authing-lang": "en-US" });
      assert.equal(named.message, "email must be a string", "a named language still wins");
      const unknownApp = await h().api("POST", "/api/v3/signin", bad, { "x-authing-app-id": "no-such-app" });
      assert.equal(unknownApp.message, "email must be a string", "no application, no pool: English");
    } finally {
      await patchPoolSettings(h(), { defaultLanguage: "en-US" });
    }
  });

  it("management side: GenAuth's texts by x-authing-lang", async () => {
    const zh = await mgmt(h(), "GET", "/api/v3/get-user", { params: { userId: "missing" } });
    const en = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: "missing" },
      headers: { "x-authing-lang": "en-US" },
    });
    assert.deepEqual([zh.statusCode, zh.apiCode, zh.message], [404, 2004, "用户不存在"]);
    assert.deepEqual([en.statusCode, en.apiCode, en.message], [404, 2004, "User does not exist"]);
    const malformed = await mgmt(h(), "GET", "/api/v3/get-user", {
      params: { userId: "nope", userIdType: "email" },
    });
    assert.deepEqual([malformed.statusCode, malformed.message], [400, "参数 email 格式错误"]);

    // A caller naming no language: the pool's default.
    const unnamed = () =>
      mgmt(h(), "GET", "/api/v3/get-user", {
        params: { userId: "missing" },
        headers: { "x-authing-lang": undefined },
      });
    assert.equal((await unnamed()).message, "User does not exist");
    await patchPoolSettings(h(), { defaultLanguage: "zh-CN" });
    try {
      assert.equal((await unnamed()).message, "用户不存在");
    } finally {
      await patchPoolSettings(h(), { defaultLanguage: "en-US" });
    }
  });

  it("an endpoint that does not exist answers in the caller's language too", async () => {
    const res = await h().inject({ method: "GET", url: "/nope", headers: { "accept-language": "zh-CN" } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().message, "接口不存在：GET /nope");
  });
});
