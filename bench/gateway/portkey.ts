// Portkey's open-source gateway as a benchmark peer: runs bench/gateway/portkey-server.ts in a child
// process on a free loopback port, waits until it accepts connections, and stops it again. Requests
// reach an OpenAI-wire upstream through Portkey's custom-host headers (see `portkeyHeaders`).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, portAnswers, waitFor } from "../../dev/ports";

export interface PortkeyGateway {
  url: string;
  /** The Node process that serves it. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts Portkey (1.15.2, headless) bound to 127.0.0.1; rejects within `readyTimeoutMs` if it does not come up. */
export async function startPortkey(readyTimeoutMs = 20_000): Promise<PortkeyGateway> {
  const port = await freePort();
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", "bench/gateway/portkey-server.ts", `--port=${port}`, "--headless"], {
    cwd: root,
    // stdout carries only Portkey's start-up banner; stderr is kept for the error message.
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`Portkey exited with code ${child.exitCode}: ${stderr.trim()}`);
        return portAnswers(port);
      },
      readyTimeoutMs,
      "Portkey's gateway",
      100,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop };
}

/** The headers that make Portkey forward a request to an OpenAI-wire server at `upstreamV1Url` (e.g. `${simUrl}/v1`). */
export function portkeyHeaders(upstreamV1Url: string, upstreamKey = "sk-bench-upstream"): Record<string, string> {
  return {
    "x-portkey-provider": "openai",
    "x-portkey-custom-host": upstreamV1Url,
    authorization: `Bearer ${upstreamKey}`,
  };
}

/**
 * Headers for Portkey's fallback strategy over OpenAI-wire models on one upstream: each model in
 * order, the next one on any error status (what our "default" route does with sim-primary, sim-secondary).
 */
export function portkeyFallbackHeaders(upstreamV1Url: string, models: readonly string[], upstreamKey = "sk-bench-upstream"): Record<string, string> {
  const targets = models.map((model) => ({ provider: "openai", api_key: upstreamKey, custom_host: upstreamV1Url, override_params: { model } }));
  return { "x-portkey-config": JSON.stringify({ strategy: { mode: "fallback" }, targets }) };
}
