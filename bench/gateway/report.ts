// Printing of the gateway benchmark: absolute and added latency per peer, throughput, time to first
// token, ours split into the runtime floor and what is above it, the ratios ours/Portkey with the
// targets, and the reliability runs.
import { fixed, formatTable } from "../support/stats";
import { DIRECT, type PeerLatency } from "./latency";
import type { HardDownFigures, TransientFigures } from "./reliability";

export const OURS = "ours";
/** Ours for a tenant whose guardrail policy is off (the cache is off for every bench run): Portkey's feature set. */
export const OURS_PLAIN = "ours, no guardrails";
/** A pass-through Worker on the same workerd as ours: what any Worker costs on this machine. */
export const FLOOR = "workerd floor";
/** A bare front Worker calling a pass-through Worker over RPC: the floor of two Workers and one hop, no code of ours. */
export const RPC_FLOOR = "workerd floor, 2 Workers + RPC";
/** Our gateway Worker alone behind the same bare front Worker: the edge → gateway RPC path without the pipeline. */
export const GATEWAY_ONLY = "ours: gateway only";
/** Ours again, under `wrangler dev` (a proxy Worker in a second workerd in front): how it used to be measured. */
export const OURS_WRANGLER = "ours (wrangler dev)";
export const PORTKEY = "portkey";

export interface AddedLatency {
  peer: string;
  sequentialP50: number;
  sequentialP99: number;
  concurrentP50: number;
  concurrentP99: number;
  ttftP50: number;
  ttftP99: number;
}

export interface TargetCheck {
  name: string;
  pass: boolean;
  detail: string;
}

/** Each non-direct peer's percentiles minus the direct peer's. */
export function addedLatency(peers: readonly PeerLatency[]): AddedLatency[] {
  const direct = peers.find((peer) => peer.peer === DIRECT);
  if (!direct) return [];
  return peers
    .filter((peer) => peer !== direct)
    .map((peer) => ({
      peer: peer.peer,
      sequentialP50: peer.sequential.p50 - direct.sequential.p50,
      sequentialP99: peer.sequential.p99 - direct.sequential.p99,
      concurrentP50: peer.concurrent.p50 - direct.concurrent.p50,
      concurrentP99: peer.concurrent.p99 - direct.concurrent.p99,
      ttftP50: peer.ttft.p50 - direct.ttft.p50,
      ttftP99: peer.ttft.p99 - direct.ttft.p99,
    }));
}

/**
 * The targets for each of our edge rows (full pipeline, and without guardrails like Portkey): p50
 * added ≤ half of Portkey's (c1 and c32), TTFT overhead ≤ 2 ms, throughput ≥ Portkey's.
 */
export function checkTargets(peers: readonly PeerLatency[], added: readonly AddedLatency[]): TargetCheck[] {
  const portkey = added.find((row) => row.peer === PORTKEY);
  const portkeyPeer = peers.find((peer) => peer.peer === PORTKEY);
  if (!portkey || !portkeyPeer) return [];
  const ms = (value: number) => `${fixed(value)} ms`;
  return [OURS, OURS_PLAIN].flatMap((name) => {
    const ours = added.find((row) => row.peer === name);
    const oursPeer = peers.find((peer) => peer.peer === name);
    if (!ours || !oursPeer) return [];
    return [
      {
        name: `${name}: p50 added ≤ ½ Portkey's, concurrency 1`,
        pass: ours.sequentialP50 <= portkey.sequentialP50 / 2,
        detail: `${ms(ours.sequentialP50)} vs ${ms(portkey.sequentialP50)}`,
      },
      {
        name: `${name}: p50 added ≤ ½ Portkey's, concurrency 32`,
        pass: ours.concurrentP50 <= portkey.concurrentP50 / 2,
        detail: `${ms(ours.concurrentP50)} vs ${ms(portkey.concurrentP50)}`,
      },
      { name: `${name}: TTFT overhead (p50) ≤ 2 ms`, pass: ours.ttftP50 <= 2, detail: ms(ours.ttftP50) },
      {
        name: `${name}: throughput at 32 ≥ Portkey's`,
        pass: oursPeer.throughput >= portkeyPeer.throughput,
        detail: `${fixed(oursPeer.throughput, 0)} vs ${fixed(portkeyPeer.throughput, 0)} req/s`,
      },
    ];
  });
}

/** Prints the latency tables, the ratios ours/Portkey and the target checks. */
export function printLatency(peers: readonly PeerLatency[], added: readonly AddedLatency[], targets: readonly TargetCheck[], concurrency: number): void {
  console.log("\nLatency per peer (ms; non-stream unless TTFT; server CPU: the serving process, read from /proc, n/a when not one process)");
  console.log(
    formatTable(
      ["peer", "c1 p50", "c1 p99", `c${concurrency} p50`, `c${concurrency} p99`, `req/s @${concurrency}`, `server CPU ms/req @${concurrency}`, "TTFT p50", "TTFT p99", "ok", "failed"],
      peers.map((peer) => [
        peer.peer,
        fixed(peer.sequential.p50),
        fixed(peer.sequential.p99),
        fixed(peer.concurrent.p50),
        fixed(peer.concurrent.p99),
        fixed(peer.throughput, 0),
        fixed(peer.serverCpuMsPerRequest),
        fixed(peer.ttft.p50),
        fixed(peer.ttft.p99),
        String(peer.sequential.count + peer.concurrent.count + peer.ttft.count),
        String(peer.failures),
      ]),
    ),
  );
  for (const peer of peers) {
    if (peer.failures > 0) console.log(`  ${peer.peer} failures by status: ${JSON.stringify(peer.failureExamples)}`);
    if (Object.keys(peer.cacheHeader).length > 0) console.log(`  ${peer.peer} x-gateway-cache: ${JSON.stringify(peer.cacheHeader)}`);
  }

  console.log("\nAdded over direct-to-simulator (ms)");
  console.log(
    formatTable(
      ["peer", "c1 +p50", "c1 +p99", `c${concurrency} +p50`, `c${concurrency} +p99`, "TTFT +p50", "TTFT +p99"],
      added.map((row) => [row.peer, ...[row.sequentialP50, row.sequentialP99, row.concurrentP50, row.concurrentP99, row.ttftP50, row.ttftP99].map((v) => fixed(v))]),
    ),
  );

  printFloorSplit(added, concurrency);

  const portkey = added.find((row) => row.peer === PORTKEY);
  const portkeyPeer = peers.find((peer) => peer.peer === PORTKEY);
  const ourRows = [OURS, OURS_PLAIN].flatMap((name) => {
    const row = added.find((candidate) => candidate.peer === name);
    const peer = peers.find((candidate) => candidate.peer === name);
    return row && peer ? [{ name, row, peer }] : [];
  });
  if (portkey && portkeyPeer && ourRows.length > 0) {
    const ratio = (a: number, b: number) => `${fixed(a / b)}x`;
    const figures: Array<[string, (row: AddedLatency, peer: PeerLatency) => number, number]> = [
      ["added p50, c1", (row) => row.sequentialP50, portkey.sequentialP50],
      ["added p99, c1", (row) => row.sequentialP99, portkey.sequentialP99],
      [`added p50, c${concurrency}`, (row) => row.concurrentP50, portkey.concurrentP50],
      [`added p99, c${concurrency}`, (row) => row.concurrentP99, portkey.concurrentP99],
      ["TTFT overhead p50", (row) => row.ttftP50, portkey.ttftP50],
      [`throughput @${concurrency}`, (_row, peer) => peer.throughput, portkeyPeer.throughput],
    ];
    console.log("\nRatios ours / Portkey (lower is better, except throughput)");
    console.log(
      formatTable(
        ["figure", ...ourRows.map(({ name }) => name)],
        figures.map(([label, pick, theirs]) => [label, ...ourRows.map(({ row, peer }) => ratio(pick(row, peer), theirs))]),
      ),
    );
    const rpcFloor = added.find((row) => row.peer === RPC_FLOOR);
    const plain = added.find((row) => row.peer === OURS_PLAIN);
    if (rpcFloor && plain) {
      const budget = portkey.sequentialP50 / 2;
      console.log(
        `  c1: half of Portkey's added p50 is ${fixed(budget)} ms; two Workers and one RPC hop with no code of ours add ${fixed(rpcFloor.sequentialP50)} ms, ` +
          `leaving ${fixed(budget - rpcFloor.sequentialP50)} ms for our edge's and gateway's code, which take ${fixed(plain.sequentialP50 - rpcFloor.sequentialP50)} ms here (no guardrails).`,
      );
    }
  }
  if (targets.length > 0) {
    console.log("\nTargets");
    for (const target of targets) console.log(`  [${target.pass ? "PASS" : "FAIL"}] ${target.name}: ${target.detail}`);
  }
}

/**
 * Prints ours' added p50 as a sum of layers, each the difference of two peers: the runtime floor (one
 * pass-through Worker), the RPC hop (a second Worker behind a service binding), our gateway's code, our
 * edge's code without guardrails, and the guardrails. A layer whose peers were not measured is n/a.
 */
function printFloorSplit(added: readonly AddedLatency[], concurrency: number): void {
  const byPeer = new Map(added.map((row) => [row.peer, row]));
  const layers: Array<[string, string | undefined, string]> = [
    ["workerd floor", undefined, FLOOR],
    ["+ RPC hop", FLOOR, RPC_FLOOR],
    ["+ gateway code", RPC_FLOOR, GATEWAY_ONLY],
    ["+ edge, no guardrails", GATEWAY_ONLY, OURS_PLAIN],
    ["+ guardrails", OURS_PLAIN, OURS],
  ];
  const ours = byPeer.get(OURS);
  if (!byPeer.has(FLOOR) || !ours) return;
  const row = (figure: string, pick: (row: AddedLatency) => number) => [
    figure,
    ...layers.map(([, below, peer]) => {
      const top = byPeer.get(peer);
      const bottom = below === undefined ? undefined : byPeer.get(below);
      return top && (below === undefined || bottom) ? fixed(pick(top) - (bottom ? pick(bottom) : 0)) : "n/a";
    }),
    fixed(pick(ours)),
  ];
  console.log("\nOurs as layers, each the difference of two peers (added p50, ms)");
  console.log(
    formatTable(
      ["figure", ...layers.map(([label]) => label), "ours"],
      [row("c1", (r) => r.sequentialP50), row(`c${concurrency}`, (r) => r.concurrentP50), row("TTFT", (r) => r.ttftP50)],
    ),
  );
}

/** Prints runs (i) and (ii). */
export function printReliability(transient: readonly TransientFigures[], hardDown: HardDownFigures | undefined): void {
  if (transient.length > 0) {
    console.log("\nReliability (i): transient 503s on sim-primary (windows of concurrent requests, fault `times` per window)");
    console.log(
      formatTable(
        ["peer", "sent", "succeeded", "success %", "upstream calls", "injected 503s", "upstream fail %", "p50 ms", "p99 ms", "failed by status"],
        transient.map((run) => [
          run.peer,
          String(run.sent),
          String(run.succeeded),
          fixed(run.successPct, 1),
          String(run.upstreamCalls),
          String(run.injectedFailures),
          fixed(run.upstreamFailurePct, 1),
          fixed(run.latency.p50),
          fixed(run.latency.p99),
          JSON.stringify(run.failureStatuses),
        ]),
      ),
    );
  }
  if (hardDown) {
    console.log("\nReliability (ii): sim-primary hard down (503 on every call), ours");
    console.log(`  breaker ${hardDown.tripped ? "opened" : "did NOT open"} after ${hardDown.tripRequests} requests`);
    console.log(
      formatTable(
        ["measured requests", "success %", "never touched sim-primary %", "p50 ms via fallback", "p50 ms sim-secondary direct", "p99 ms via fallback", "p99 ms sim-secondary direct"],
        [
          [
            String(hardDown.measured),
            fixed(hardDown.successPct, 1),
            fixed(hardDown.untouchedPct, 1),
            fixed(hardDown.viaFallback.p50),
            fixed(hardDown.directToSecondary.p50),
            fixed(hardDown.viaFallback.p99),
            fixed(hardDown.directToSecondary.p99),
          ],
        ],
      ),
    );
  }
}
