import assert from "node:assert/strict";
import { it } from "node:test";
import { cli } from "../helpers/cli.js";
import { describeEachDialect } from "../helpers/harness.js";

describeEachDialect(
  "idp CLI",
  (h) => {
    const json = async (...argv: string[]) => {
      const r = await cli(h().ctx.config, ...argv, "--json");
      assert.equal(r.code, 0, r.err);
      return JSON.parse(r.out);
    };

    it("create a provider, add a connection with its secret from the environment, enable, show, delete", async () => {
      const idp = await json("idp", "create", "github", "GitHub");
      assert.equal(idp.type, "github");
      process.env.GH_TEST_SECRET = "github-client-secret-from-env";
      try {
        const conn = await json(
          "idp",
          "conn",
          "add",
          idp.id,
          "github",
          "github",
          "--name",
          "GitHub",
          "--field",
          "clientId=Iv1.abc",
          "--client-secret-env",
          "GH_TEST_SECRET",
          "--app",
          h().boot.appId,
        );
        assert.deepEqual(conn.appIds, [h().boot.appId]);
        assert.match(conn.callbackUrl, new RegExp(`/ext-idp/${conn.id}/callback$`));
        const shown = await cli(h().ctx.config, "idp", "show", idp.id, "--json");
        assert.ok(!shown.out.includes("github-client-secret-from-env"), "the secret is never printed");
        const row = await h().ctx.repos.extIdps.findConn(h().boot.userPoolId, conn.id);
        assert.equal(
          h().ctx.keys.box.open("ext-idp-secret", conn.id, row?.client_secret ?? ""),
          "github-client-secret-from-env",
        );
        const inline = await cli(
          h().ctx.config,
          "idp",
          "conn",
          "update",
          conn.id,
          "--field",
          "clientSecret=x",
        );
        assert.equal(inline.code, 1, "a secret on the command line is refused");
        await json("idp", "conn", "disable", conn.id, "--app", h().boot.appId);
        const after = await json("idp", "show", idp.id);
        assert.deepEqual(after.connections[0].appIds, []);
        await json("idp", "conn", "associate", conn.id);
        assert.equal((await json("idp", "show", idp.id)).connections[0].association, true);
        await json("idp", "conn", "dissociate", conn.id);
        assert.equal((await json("idp", "show", idp.id)).connections[0].association, false);
      } finally {
        delete process.env.GH_TEST_SECRET;
      }
      assert.ok((await json("idp", "list")).some((i: { extIdpId: string }) => i.extIdpId === idp.id));
      await json("idp", "delete", idp.id);
      assert.equal((await cli(h().ctx.config, "idp", "show", idp.id)).code, 1);
    });
  },
  { config: { idpAllowHttp: false } },
);
