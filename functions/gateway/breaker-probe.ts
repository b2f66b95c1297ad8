// Half-open probes on a schedule: a breaker that opened stays open until traffic probes it, so a
// target that nobody calls (its route falls back elsewhere) would stay open forever. The edge's
// maintenance cron asks the gateway to send one small request to every target whose cooldown is over;
// the request goes through the normal resilient call with the target forced, so the probe permit,
// the outcome and the shared state are handled exactly as for live traffic.
import { targetId, type BreakerProbeReport, type PlatformConfig, type Target } from "@llm-edge/shared";
import { executeChat, type GatewayDeps } from "./chat";
import { gatewayConfig } from "./config";

/** Every configured target once, with the first route that names it (its breaker policy applies). */
function configuredTargets(config: PlatformConfig): Map<string, { alias: string; target: Target }> {
  const targets = new Map<string, { alias: string; target: Target }>();
  for (const [alias, route] of Object.entries(config.routes)) {
    for (const target of [...route.targets, ...route.rules.flatMap((rule) => rule.targets)]) {
      const id = targetId(target);
      if (!targets.has(id)) targets.set(id, { alias, target });
    }
  }
  return targets;
}

/**
 * Probes every target whose breaker (as shared across isolates) is half-open: open with its cooldown
 * over. A success closes the breaker, a failure reopens it with a longer cooldown. Closed breakers and
 * open ones still cooling down are left alone.
 */
export async function probeOpenBreakers(deps: GatewayDeps, now: () => number = Date.now): Promise<BreakerProbeReport> {
  const config = gatewayConfig(deps.env);
  const targets = configuredTargets(config);
  for (const [id, { alias }] of targets) deps.breakers.breaker(id, config.routes[alias]!.breaker);
  await deps.breakers.sync();
  const snapshots = deps.breakers.snapshots(now());
  const due = [...targets].filter(([id]) => snapshots[id]?.state === "half_open");
  const probed = await Promise.all(
    due.map(async ([id, { alias }]) => {
      const result = await executeChat(deps, {
        request: { model: alias, messages: [{ role: "user", content: "ping" }], max_tokens: 1 },
        targetOverride: [id],
        tenant: "system:breaker-probe",
      });
      const state = deps.breakers.snapshots(now())[id]?.state;
      if (result.ok) return { target: id, outcome: state === "closed" ? ("closed" as const) : ("not_probed" as const) };
      const skipped = result.meta.skipped.find((entry) => entry.target === id);
      return skipped
        ? { target: id, outcome: "not_probed" as const, detail: skipped.reason }
        : { target: id, outcome: "still_open" as const, detail: `${result.status} ${result.error.error.code ?? result.error.error.type}` };
    }),
  );
  return { probed, skipped: targets.size - due.length };
}
