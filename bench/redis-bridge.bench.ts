// Round-trip latency of GET on a small key: ioredis straight to redis-server, @upstash/redis through
// the REST bridge, and raw fetch through the bridge. Sequential requests, interleaved in rounds so
// noise hits every peer alike. Run: `npx tsx bench/redis-bridge.bench.ts`; `run()` returns the figures.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as DirectRedis } from "ioredis";
import { startRedisBridge } from "../dev/redis-bridge/server";
import { formatTable, percentile } from "./support/stats";

export interface LatencyFigures {
  p50Us: number;
  p99Us: number;
  /** p50 and p99 relative to direct ioredis (1 for direct itself). */
  p50Ratio: number;
  p99Ratio: number;
}

export interface RedisBridgeBenchResult {
  requestsPerPeer: number;
  peers: Record<"direct-ioredis" | "upstash-client-via-bridge" | "fetch-via-bridge", LatencyFigures>;
}

type Peer = keyof RedisBridgeBenchResult["peers"];
const PEERS: Peer[] = ["direct-ioredis", "upstash-client-via-bridge", "fetch-via-bridge"];

export async function run(options: { requests?: number; warmup?: number; rounds?: number } = {}): Promise<RedisBridgeBenchResult> {
  const { requests = 2_000, warmup = 200, rounds = 20 } = options;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const token = randomBytes(12).toString("hex");
  const key = `bench:redis-bridge:${randomBytes(6).toString("hex")}`;

  const bridge = await startRedisBridge({ port: 0, token, redisUrl });
  const direct = new DirectRedis(redisUrl, { protocol: 2, lazyConnect: true });
  await direct.connect();
  const upstash = new UpstashRedis({ url: bridge.url, token, enableTelemetry: false });
  const fetchBody = JSON.stringify(["GET", key]);
  const fetchHeaders = { authorization: `Bearer ${token}`, "upstash-encoding": "base64" };

  const peers: Record<Peer, () => Promise<unknown>> = {
    "direct-ioredis": () => direct.get(key),
    "upstash-client-via-bridge": () => upstash.get(key),
    "fetch-via-bridge": async () => (await fetch(bridge.url, { method: "POST", body: fetchBody, headers: fetchHeaders })).json(),
  };
  const samples: Record<Peer, number[]> = { "direct-ioredis": [], "upstash-client-via-bridge": [], "fetch-via-bridge": [] };

  try {
    await direct.set(key, "small-value");
    for (const name of PEERS) for (let i = 0; i < warmup; i++) await peers[name]();

    const perRound = Math.ceil(requests / rounds);
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no peer always runs first (or right after a GC-heavy peer).
      const shift = round % PEERS.length;
      const order = [...PEERS.slice(shift), ...PEERS.slice(0, shift)];
      for (const name of order) {
        const call = peers[name];
        for (let i = 0; i < perRound && samples[name].length < requests; i++) {
          const started = process.hrtime.bigint();
          await call();
          samples[name].push(Number(process.hrtime.bigint() - started) / 1_000);
        }
      }
    }
  } finally {
    await direct.del(key);
    direct.disconnect();
    await bridge.close();
  }

  const baseline = { p50: percentile(samples["direct-ioredis"], 50), p99: percentile(samples["direct-ioredis"], 99) };
  const figures = (name: Peer): LatencyFigures => {
    const p50Us = percentile(samples[name], 50);
    const p99Us = percentile(samples[name], 99);
    return { p50Us, p99Us, p50Ratio: p50Us / baseline.p50, p99Ratio: p99Us / baseline.p99 };
  };
  return {
    requestsPerPeer: requests,
    peers: {
      "direct-ioredis": figures("direct-ioredis"),
      "upstash-client-via-bridge": figures("upstash-client-via-bridge"),
      "fetch-via-bridge": figures("fetch-via-bridge"),
    },
  };
}

function printTable(result: RedisBridgeBenchResult): void {
  const rows = Object.entries(result.peers).map(([peer, f]) => [
    peer,
    f.p50Us.toFixed(0),
    f.p99Us.toFixed(0),
    `${f.p50Ratio.toFixed(2)}x`,
    `${f.p99Ratio.toFixed(2)}x`,
  ]);
  const header = ["peer (GET, small key)", "p50 µs", "p99 µs", "p50 vs direct", "p99 vs direct"];
  console.log(`Redis bridge latency, ${result.requestsPerPeer} sequential requests per peer, interleaved rounds`);
  console.log(formatTable(header, rows));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printTable(await run());
  process.exit(0);
}
