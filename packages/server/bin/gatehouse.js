#!/usr/bin/env -S node --max-semi-space-size=4
// The `gatehouse` command. A committed file (not built output) so that npm links it at install
// time, before `prepare` builds dist/. The flag is npm start's: a smaller young generation.
import "../dist/cli/index.js";
