// The shared package: wire schemas, RPC contracts, errors, config, tracing and logging, Upstash clients.
export * from "./config";
export * from "./policies";
export * from "./errors";
export * from "./health";
export * from "./log";
export * from "./openai";
export * from "./rpc";
export * from "./sse";
export * from "./trace";
export * from "./upstash";
