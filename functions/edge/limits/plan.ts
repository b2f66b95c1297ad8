// What a request is limited by: the tenant's settings from the config's `tenants` section (resolved
// once per config and tenant) plus the stored key's own windows. No plan → no Redis call for limits.
import { tenantSettings, type BudgetLimits, type PlatformConfig, type ResolvedTenantSettings } from "@llm-edge/shared";
import type { StoredKey } from "../types";
import type { WindowSubject } from "./rate";

export interface LimitPlan {
  requestWindows: WindowSubject[];
  tokenWindows: WindowSubject[];
  budget?: BudgetLimits;
}

const resolved = new WeakMap<PlatformConfig["tenants"], Map<string, ResolvedTenantSettings>>();

function settingsOf(config: PlatformConfig, tenant: string): ResolvedTenantSettings {
  let byTenant = resolved.get(config.tenants);
  if (!byTenant) resolved.set(config.tenants, (byTenant = new Map()));
  let settings = byTenant.get(tenant);
  if (!settings) byTenant.set(tenant, (settings = tenantSettings(config.tenants, tenant)));
  return settings;
}

/** The limits on a request of `tenant` made with `key`; undefined when there are none at all. */
export function limitPlan(config: PlatformConfig | undefined, tenant: string, key: StoredKey | undefined): LimitPlan | undefined {
  const settings = config ? settingsOf(config, tenant) : {};
  const keyLimits = key?.limits;
  if (!settings.requests && !settings.tokens && !settings.dailyUsd && !settings.monthlyUsd && !keyLimits?.requests && !keyLimits?.tokens) return undefined;
  const requestWindows: WindowSubject[] = [];
  const tokenWindows: WindowSubject[] = [];
  if (settings.requests) requestWindows.push({ kind: "requests", scope: "tenant", id: tenant, window: settings.requests });
  if (key && keyLimits?.requests) requestWindows.push({ kind: "requests", scope: "key", id: key.id, window: keyLimits.requests });
  if (settings.tokens) tokenWindows.push({ kind: "tokens", scope: "tenant", id: tenant, window: settings.tokens });
  if (key && keyLimits?.tokens) tokenWindows.push({ kind: "tokens", scope: "key", id: key.id, window: keyLimits.tokens });
  const budget: BudgetLimits = {
    ...(settings.dailyUsd ? { dailyUsd: settings.dailyUsd } : {}),
    ...(settings.monthlyUsd ? { monthlyUsd: settings.monthlyUsd } : {}),
  };
  return { requestWindows, tokenWindows, ...(budget.dailyUsd || budget.monthlyUsd ? { budget } : {}) };
}
