// Regenerates the configuration table in README.md from the config schema: `npm run docs`.
import fs from "node:fs";
import { configTable } from "../packages/server/src/config.js";

const file = new URL("../README.md", import.meta.url);
const readme = fs.readFileSync(file, "utf8");
const next = readme.replace(
  /<!-- config:start -->[\s\S]*<!-- config:end -->/,
  `<!-- config:start -->\n${configTable()}\n<!-- config:end -->`,
);
fs.writeFileSync(file, next);
