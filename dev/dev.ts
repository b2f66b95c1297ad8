// `npm run dev`: starts the offline local stack on the ports of DESIGN §5 (overridable by env), prints
// where everything is, and stops what it started on Ctrl-C.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { firstApiKey, loadDevVars } from "./dev-vars";
import { startStack, type StackPorts } from "./stack";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const ports: StackPorts = {
    edge: portFromEnv("EDGE_PORT", 8787),
    sim: portFromEnv("SIM_PROVIDER_PORT", 8790),
    redisBridge: portFromEnv("REDIS_BRIDGE_PORT", 8791),
    vector: portFromEnv("VECTOR_SERVER_PORT", 8792),
    redis: portFromEnv("REDIS_PORT", 6379),
  };
  const { vars, created } = loadDevVars(root);
  if (created) console.log("Created .dev.vars from .dev.vars.example.");
  console.log("Starting the local stack (redis-server, stand-ins, wrangler dev)…");
  const started = Date.now();
  const stack = await startStack({ root, ports, vars, dataDir: join(root, ".data"), wranglerOutput: "inherit" });

  const key = firstApiKey(vars.API_KEYS) ?? "(set API_KEYS in .dev.vars)";
  console.log(`
Local stack healthy in ${((Date.now() - started) / 1000).toFixed(1)} s
  edge (the product)        ${stack.urls.edge}
  simulated LLM provider    ${stack.urls.sim}   (faults: POST /__sim/faults)
  Upstash Redis REST        ${stack.urls.redisBridge}
  Upstash Vector            ${stack.urls.vector}
  redis-server              ${stack.urls.redis}
  API key                   ${key}

  curl ${stack.urls.edge}/health -H "Authorization: Bearer ${key}"

Ctrl-C stops everything started here.`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the local stack…");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(`npm run dev failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
