import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContextOptions } from "../../src/context.js";
import type { Argon2Params } from "../../src/services/auth/passwords/hashing.js";
import {
  type GenerateRsaKeyPair,
  generateRsaKeyPair,
  type RsaKeyPairPem,
} from "../../src/services/tokens/rsa-key-pair.js";

/** Enough for the contexts a test file builds (two pairs each); past them, new pairs are made. */
const POOL_SIZE = 24;
const file = path.join(os.tmpdir(), "gatehouse-test-templates", `rsa-2048-x${POOL_SIZE}.json`);

let pool: Promise<RsaKeyPairPem[]> | undefined;
let handedOut = 0;

/**
 * ContextOptions.generateRsaKeyPair for tests: real RSA-2048 pairs, made once per machine and kept
 * in the system's temporary directory, handed out in turn so that no two keys of one test process
 * are the same (a rotated signing key differs from the one before, two contexts' keys differ).
 * Making two pairs for every test context cost about a tenth of the suite's CPU.
 */
export const testRsaKeyPair: GenerateRsaKeyPair = async () => {
  pool ??= loadPool();
  const pair = (await pool)[handedOut++];
  return pair ?? generateRsaKeyPair();
};

async function loadPool(): Promise<RsaKeyPairPem[]> {
  try {
    const pairs = JSON.parse(fs.readFileSync(file, "utf8")) as RsaKeyPairPem[];
    if (pairs.length === POOL_SIZE) return pairs;
  } catch {
    // not made yet on this machine
  }
  const pairs = await Promise.all(Array.from({ length: POOL_SIZE }, () => generateRsaKeyPair()));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written beside, then renamed: a process reading the file finds it whole.
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(pairs));
  fs.renameSync(tmp, file);
  return pairs;
}

/**
 * The cost of the password hashes test contexts make: argon2id at 1 MiB and one pass instead of
 * 19 MiB and two (~0.5 ms instead of ~14 ms of CPU). What the tests check of hashing (a hash is
 * argon2id, verifies, is re-hashed when its cost is not current, an unknown account costs one
 * verify) does not depend on the cost; the OWASP cost itself is checked by the tests that build
 * without these options (auth/passwords/passwords.test.ts, and the sign-in re-hash test).
 */
export const TEST_ARGON2: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/** What test contexts are built with (helpers/harness.ts, in-process-nodes.ts, cli.ts). */
export const testContextOptions: Pick<ContextOptions, "generateRsaKeyPair" | "argon2Params"> = {
  generateRsaKeyPair: testRsaKeyPair,
  argon2Params: TEST_ARGON2,
};
