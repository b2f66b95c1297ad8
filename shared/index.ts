// The shared package: wire schemas, RPC contracts, errors, config, tracing and logging, Upstash clients.
export * from "./cache-config";
export * from "./cache-rpc";
export * from "./config";
export * from "./policies";
export * from "./errors";
export * from "./guardrail-config";
export * from "./guardrail-rpc";
export * from "./health";
export * from "./log";
export * from "./openai";
export * from "./pipeline";
export * from "./completion-stream";
export * from "./rpc";
export * from "./sse";
export * from "./tenants";
export * from "./trace";
export * from "./upstash";
