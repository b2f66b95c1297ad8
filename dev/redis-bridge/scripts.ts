// Lua script compatibility with Upstash: Upstash accepts shebang flags that redis-server rejects
// (e.g. `#!lua flags=allow-key-locking`, used by @upstash/ratelimit). The bridge drops such flags
// before EVAL / SCRIPT LOAD and remembers sha1(original) → sha1(rewritten), so clients that hash the
// original script themselves (EVALSHA, createScript) still hit the loaded script.
import { createHash } from "node:crypto";
import { toRedisCommand, type RedisArg, type RedisCommand } from "./commands";

const FLAGS_KNOWN_TO_REDIS = new Set(["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]);
const MAX_REMEMBERED_SCRIPTS = 10_000;

export interface PreparedCommand {
  command: RedisCommand;
  /** Adjusts a successful reply (SCRIPT LOAD answers with the sha the client computed). */
  mapReply(reply: unknown): unknown;
}

export class ScriptCompatibility {
  private readonly rewrittenShaByOriginal = new Map<string, string>();

  prepare(command: RedisCommand): PreparedCommand {
    const [first, ...rest] = command.args;
    if (first === undefined) return { command, mapReply: sameReply };
    const withArgs = (args: RedisArg[]): PreparedCommand => ({ command: { name: command.name, args }, mapReply: sameReply });

    if (command.name === "EVAL" || command.name === "EVAL_RO") {
      return withArgs([this.compatibleScript(first).script, ...rest]);
    }
    if (command.name === "EVALSHA" || command.name === "EVALSHA_RO") {
      return withArgs([this.loadedSha(first), ...rest]);
    }
    if (command.name !== "SCRIPT") return { command, mapReply: sameReply };

    const subcommand = text(first).toUpperCase();
    const [script] = rest;
    if (subcommand === "LOAD" && script !== undefined) {
      const { script: compatible, originalSha } = this.compatibleScript(script);
      return { command: toRedisCommand(["SCRIPT", "LOAD", compatible]), mapReply: () => Buffer.from(originalSha) };
    }
    if (subcommand === "EXISTS") return withArgs([first, ...rest.map((sha) => this.loadedSha(sha))]);
    return { command, mapReply: sameReply };
  }

  private compatibleScript(script: RedisArg): { script: RedisArg; originalSha: string } {
    const originalSha = sha1(script);
    const rewritten = withoutUnknownShebangFlags(text(script));
    if (rewritten === undefined) return { script, originalSha };
    if (this.rewrittenShaByOriginal.size >= MAX_REMEMBERED_SCRIPTS) this.rewrittenShaByOriginal.clear();
    this.rewrittenShaByOriginal.set(originalSha, sha1(rewritten));
    return { script: rewritten, originalSha };
  }

  private loadedSha(sha: RedisArg): RedisArg {
    return this.rewrittenShaByOriginal.get(text(sha).toLowerCase()) ?? sha;
  }
}

/** The script with flags unknown to redis-server removed, or undefined when nothing changes. */
function withoutUnknownShebangFlags(script: string): string | undefined {
  if (!script.startsWith("#!")) return undefined;
  const lineEnd = script.indexOf("\n");
  const shebang = lineEnd === -1 ? script : script.slice(0, lineEnd);
  const [engine, ...options] = shebang.trim().split(/\s+/);
  let changed = false;
  const kept = options.flatMap((option) => {
    if (!option.startsWith("flags=")) return [option];
    const flags = option.slice("flags=".length).split(",").filter((flag) => flag !== "");
    const known = flags.filter((flag) => FLAGS_KNOWN_TO_REDIS.has(flag));
    if (known.length === flags.length) return [option];
    changed = true;
    return known.length > 0 ? [`flags=${known.join(",")}`] : [];
  });
  if (!changed) return undefined;
  return [engine, ...kept].join(" ") + (lineEnd === -1 ? "" : script.slice(lineEnd));
}

function sameReply(reply: unknown): unknown {
  return reply;
}

function sha1(script: RedisArg): string {
  return createHash("sha1").update(script).digest("hex");
}

function text(arg: RedisArg): string {
  return Buffer.isBuffer(arg) ? arg.toString("utf8") : arg;
}
