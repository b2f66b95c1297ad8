// Global setup for every test project: makes sure a real redis-server answers on REDIS_PORT (6379),
// starting one for this run if none does, and stopping only the one it started.
import { ensureRedis } from "../../dev/redis-server";

export default async function setup(): Promise<() => Promise<void>> {
  const redis = await ensureRedis(Number(process.env.REDIS_PORT ?? 6379));
  return () => redis.stop();
}
