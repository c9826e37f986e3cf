#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=20
// The `gatehouse` command. A committed file (not built output) so that npm links it at install
// time, before `prepare` builds dist/. The flags are npm start's: a smaller young generation, an
// old generation collected when it has grown by a fifth and compacted each time (see README,
// Performance).
import "../dist/cli/index.js";
