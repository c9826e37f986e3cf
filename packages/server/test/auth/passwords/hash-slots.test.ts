import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { createPasswords, createSlots } from "../../../src/services/auth/passwords/hashing.js";

describe("password hashing slots", () => {
  it("never runs more than its size at once, and a failure frees its slot", async () => {
    const slots = createSlots(2);
    let running = 0;
    let most = 0;
    const job = (fail: boolean) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (fail) throw new Error("boom");
        return "ok";
      });
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => job(i % 3 === 0)));
    assert.equal(most, 2);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 6);
    assert.equal(await job(false), "ok");
  });

  it("counts the tasks holding or waiting for a slot (tokens sign on the thread pool only at zero)", async () => {
    const slots = createSlots(1);
    let release = () => {};
    const held = slots.run(() => new Promise<void>((r) => (release = r)));
    const waiting = slots.run(async () => {});
    assert.equal(slots.busy(), 2);
    release();
    await Promise.all([held, waiting]);
    assert.equal(slots.busy(), 0);
  });

  it("many hashes and verifications at once all succeed through the slots", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const passwords = createPasswords({
      rsaPrivateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    });
    const pending = Promise.all(Array.from({ length: 6 }, (_, i) => passwords.hash(`pw-${i}`)));
    assert.equal(passwords.hashing(), 6);
    const hashes = await pending;
    assert.equal(passwords.hashing(), 0);
    const checks = await Promise.all(hashes.map((h, i) => passwords.verify(h, i % 2 ? `pw-${i}` : "wrong")));
    assert.deepEqual(
      checks.map((c) => c.ok),
      [false, true, false, true, false, true],
    );
  });
});
