// Child-process entry that runs Portkey's open-source gateway (@portkey-ai/gateway 1.15.2, its
// bundled Node server) for the benchmark, bound to 127.0.0.1 only and served by the pinned
// @hono/node-server 1.13.5. Started by bench/gateway/portkey.ts; argv: --port=N --headless.
import { register } from "node:module";

// Portkey's bundle calls `serve({ fetch, port })` from @hono/node-server without a hostname (so it
// would listen on every interface), and npm nests a newer @hono/node-server under Portkey (1.19.x,
// with which every Portkey stream fails with 500: "TypeError: immutable" when it appends a header to
// the upstream response). A resolve hook answers that one import with a shim over the pinned
// top-level copy whose `serve` adds hostname 127.0.0.1.
const pinnedNodeServer = import.meta.resolve("@hono/node-server");
const shimSource = `
import * as pinned from ${JSON.stringify(pinnedNodeServer)};
export * from ${JSON.stringify(pinnedNodeServer)};
export function serve(options, listening) {
  return pinned.serve({ ...options, hostname: "127.0.0.1" }, listening);
}
`;
const hooksSource = `
const SHIM = ${JSON.stringify(`data:text/javascript,${encodeURIComponent(shimSource)}`)};
export async function resolve(specifier, context, next) {
  if (specifier === "@hono/node-server" && context.parentURL?.includes("/@portkey-ai/gateway/")) {
    return { url: SHIM, shortCircuit: true };
  }
  return next(specifier, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hooksSource)}`);

const portkeyEntry = import.meta.resolve("@portkey-ai/gateway/build/start-server.js");
await import(portkeyEntry);
