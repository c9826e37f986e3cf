import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContextOptions } from "../../src/context.js";
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

/** What test contexts are built with (helpers/harness.ts, in-process-nodes.ts, cli.ts). */
export const testContextOptions: Pick<ContextOptions, "generateRsaKeyPair"> = {
  generateRsaKeyPair: testRsaKeyPair,
};
