// Deploys every Worker with `wrangler deploy` in binding order (pattern Workers first, the edge last).
// `--dry-run` builds and validates each bundle without contacting Cloudflare (used in CI).
import { spawnSync } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WORKER_CONFIGS } from "./workers";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dryRun = process.argv.includes("--dry-run");

for (const config of WORKER_CONFIGS) {
  const name = config === "wrangler.toml" ? "edge" : basename(dirname(config));
  const args = ["deploy", "-c", config, ...(dryRun ? ["--dry-run", "--outdir", join(root, "dist", name)] : [])];
  console.log(`\n== ${dryRun ? "dry-run" : "deploy"}: ${name} (${config})`);
  const result = spawnSync(join(root, "node_modules", ".bin", "wrangler"), args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  if (result.status !== 0) {
    console.error(`wrangler deploy failed for ${name}; Workers after it in the order were not deployed.`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\n${dryRun ? "All Workers built and validated" : "All Workers deployed"}: ${WORKER_CONFIGS.length}.`);
