// GET /health: every pattern Worker's health over RPC. 200 while every Worker answers (ok or
// degraded); 503 when any is down or does not answer. Public, so load balancers can use it.
import { Hono } from "hono";
import type { EdgeEnv } from "./types";
import { collectHealth } from "./workers";

export const healthRoute = new Hono<EdgeEnv>().get("/", async (c) => {
  const health = await collectHealth(c.env, c.var.traceparent);
  return c.json(health, health.status === "down" ? 503 : 200);
});
