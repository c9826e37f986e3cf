import assert from "node:assert/strict";
import { it } from "node:test";
import { UserDto } from "@gatehouse/protocol";
import { signedInUser } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";
import { mgmt } from "../helpers/management.js";
import { patchPoolSettings } from "../helpers/pool-settings.js";

/** The fields only a caller's `with*` flags bring; every other field of UserDto is always present. */
const ON_REQUEST = new Set(["customData", "identities", "departmentIds", "postIdList", "metadataSource"]);
const ALWAYS = Object.keys(UserDto.properties).filter((k) => !ON_REQUEST.has(k));

describeEachDialect("UserDto as GenAuth answers it", (h) => {
  it("every field of the SDK's UserDto is present, null when unknown, on create, get, list and profile", async () => {
    const created = await mgmt(h(), "POST", "/api/v3/create-user", { body: { username: "nulls" } });
    assert.equal(created.statusCode, 200, JSON.stringify(created));
    const got = await mgmt(h(), "GET", "/api/v3/get-user", { params: { userId: created.data.userId } });
    const listed = await mgmt(h(), "POST", "/api/v3/list-users", { body: { keywords: "nulls" } });
    const me = await signedInUser(h(), "nulls-self@example.com");
    const profile = await h().api("GET", "/api/v3/get-profile", undefined, {
      authorization: me.access_token,
    });
    for (const [where, dto] of [
      ["create-user", created.data],
      ["get-user", got.data],
      ["list-users", listed.data.list[0]],
      ["get-profile", profile.data],
    ]) {
      for (const key of ALWAYS) assert.ok(key in dto, `${where}: ${key} missing`);
      for (const key of [
        "externalId",
        "lastLogin",
        "lastIp",
        "name",
        "birthdate",
        "tenantId",
        "lastMfaTime",
      ]) {
        if (where === "get-profile" && (key === "lastLogin" || key === "lastIp")) continue;
        assert.equal(dto[key], null, `${where}: ${key}`);
      }
    }
    assert.equal(created.data.email, null);
    assert.equal(created.data.phone, null);
    assert.equal(created.data.phoneCountryCode, null);
    assert.equal(created.data.passwordSecurityLevel, null);
    assert.equal(created.data.loginsCount, 0);
    assert.deepEqual(created.data.registerSource, ["adminCreated"]);
    assert.equal(profile.data.lastIp, "127.0.0.1", "known values stay values");
  });

  it("photo is never empty: Gatehouse's own avatar, the pool's defaultAvatar, or the user's own", async () => {
    const own = `${h().ctx.config.publicUrl}/assets/default-avatar.svg`;
    const plain = await mgmt(h(), "POST", "/api/v3/create-user", { body: { username: "no-photo" } });
    assert.equal(plain.data.photo, own);
    const chosen = await mgmt(h(), "POST", "/api/v3/create-user", {
      body: { username: "with-photo", photo: "https://cdn.example.com/me.png" },
    });
    assert.equal(chosen.data.photo, "https://cdn.example.com/me.png");

    await patchPoolSettings(h(), { defaultAvatar: "https://cdn.example.com/default.png" });
    try {
      const got = await mgmt(h(), "GET", "/api/v3/get-user", { params: { userId: plain.data.userId } });
      assert.equal(got.data.photo, "https://cdn.example.com/default.png");
      const cleared = await mgmt(h(), "POST", "/api/v3/update-user", {
        body: { userId: chosen.data.userId, photo: null },
      });
      assert.equal(cleared.data.photo, "https://cdn.example.com/default.png");
    } finally {
      await patchPoolSettings(h(), { defaultAvatar: "" });
    }
  });

  it("defaultAvatar must be an http(s) URL", async () => {
    const r = await mgmt(h(), "POST", "/api/v3/update-security-settings", {
      body: { defaultAvatar: "javascript:alert(1)" },
    });
    assert.equal(r.statusCode, 400, JSON.stringify(r));
  });

  it("GET /assets/default-avatar.svg: an SVG, cached for a year, loadable from other origins", async () => {
    const res = await h().inject({ method: "GET", url: "/assets/default-avatar.svg" });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "image/svg+xml");
    assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(res.headers["cross-origin-resource-policy"], "cross-origin");
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.match(res.body, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it("get-user-batch with userIds: [] (signed as userIds=[], absent from the URL) answers 400, not a bad signature", async () => {
    const r = await mgmt(h(), "GET", "/api/v3/get-user-batch", {
      params: { userIds: [] },
      headers: { "x-authing-lang": "en-US" },
    });
    assert.equal(r.statusCode, 400, JSON.stringify(r));
    assert.equal(r.message, "userIds must not be empty");
  });
});
