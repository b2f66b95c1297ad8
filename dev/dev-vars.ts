// Reads .dev.vars (created from .dev.vars.example when missing): the local settings of `npm run dev`.
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Parses KEY=VALUE lines; blank lines and # comments are skipped; surrounding quotes are removed. */
export function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith("#")) continue;
    const [, key, raw] = match as unknown as [string, string, string];
    vars[key] = /^(['"]).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return vars;
}

/** Loads `<root>/.dev.vars`, first copying `.dev.vars.example` there if it does not exist. */
export function loadDevVars(root: string): { vars: Record<string, string>; created: boolean } {
  const path = join(root, ".dev.vars");
  const created = !existsSync(path);
  if (created) copyFileSync(join(root, ".dev.vars.example"), path);
  return { vars: parseDotenv(readFileSync(path, "utf8")), created };
}

/** True for URLs on this machine (the stand-ins); false for real services such as Upstash. */
export function isLoopbackUrl(value: string | undefined): boolean {
  if (!value) return true;
  try {
    const host = new URL(value).hostname;
    return host === "localhost" || host === "[::1]" || host.startsWith("127.");
  } catch {
    return false;
  }
}

/** The first API key of API_KEYS ("key=tenant,…"), shown to the developer. */
export function firstApiKey(apiKeys: string | undefined): string | undefined {
  return apiKeys?.split(",")[0]?.split("=")[0]?.trim() || undefined;
}
