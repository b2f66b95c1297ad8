// Cache endpoints: invalidate the caller's entries (all, one model alias, or one request) and read
// the tenant's cache statistics.
import { Hono } from "hono";
import { CacheInvalidateRequestSchema } from "@llm-edge/shared";
import { readJsonBody } from "../body";
import type { EdgeEnv } from "../types";
import { patternWorkers } from "../workers";

export const cacheRoutes = new Hono<EdgeEnv>()
  .post("/invalidate", async (c) => {
    const body = await readJsonBody(c, CacheInvalidateRequestSchema);
    return c.json(await patternWorkers(c.env).cache.invalidate({ traceparent: c.var.traceparent }, { ...body, tenant: c.var.tenant }));
  })
  .get("/stats", async (c) => c.json(await patternWorkers(c.env).cache.stats({ traceparent: c.var.traceparent }, { tenant: c.var.tenant })));
