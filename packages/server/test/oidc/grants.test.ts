import assert from "node:assert/strict";
import { it } from "node:test";
import { form } from "../helpers/auth.js";
import { describeEachDialect } from "../helpers/harness.js";

describeEachDialect("oidc: token endpoint grants", (h) => {
  it("an unknown grant_type is unsupported_grant_type, answered before any client check", async () => {
    for (const grant_type of ["password", "urn:ietf:params:oauth:grant-type:device_code", ""]) {
      const res = await form(h(), "/oidc/token", { grant_type, client_id: "nobody", client_secret: "x" });
      assert.equal(res.status, 400, grant_type);
      assert.equal(res.body.error, "unsupported_grant_type", grant_type);
    }
  });

  it("refresh_token still authenticates the application first: a wrong secret is invalid_client", async () => {
    const res = await form(h(), "/oidc/token", {
      grant_type: "refresh_token",
      refresh_token: "anything",
      client_id: h().boot.appId,
      client_secret: "wrong",
    });
    assert.equal(res.status, 401);
    assert.equal(res.body.error, "invalid_client");
  });
});
