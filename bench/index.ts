// `npm run bench [name…]`: runs every benchmark in bench/ (or those whose file name contains a given
// word), one after another in its own process so they do not disturb each other. Each prints its table.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
  .sort();

if (benches.length === 0) {
  console.error(`No benchmark matches ${filters.join(", ")}.`);
  process.exit(1);
}
let failed = 0;
for (const bench of benches) {
  console.log(`\n######## ${bench}`);
  const result = spawnSync(join(here, "..", "node_modules", ".bin", "tsx"), [join(here, bench)], { stdio: "inherit" });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
