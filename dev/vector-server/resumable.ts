// Resumable queries (resumable-query, resumable-query-data, resumable-query-next, resumable-query-end):
// the start ranks the whole namespace once and keeps the ranking under a uuid; each "next" hands out
// the following additionalK records (skipping ones deleted meanwhile). Idle sessions expire after maxIdle.
import { randomUUID } from "node:crypto";
import type { CommandHandler } from "./context";
import { VectorError } from "./errors";
import { compileFilterOrThrow, type IncludeFlags, toWireRecord, type WireRecord } from "./records";
import { queryVectors, rank } from "./read-commands";
import { parseBody, resumableEndSchema, resumableNextSchema, resumableStartSchema } from "./schemas";
import type { VectorIndex } from "./store";

const DEFAULT_MAX_IDLE_SECONDS = 3600;
const MAX_SESSIONS = 1000;

interface Session {
  namespace: string;
  ranking: { id: string; score: number }[];
  position: number;
  include: IncludeFlags;
  maxIdleMs: number;
  lastUsed: number;
}

export function createResumableCommands(): Record<string, CommandHandler> {
  const sessions = new Map<string, Session>();

  const dropExpired = (now: number) => {
    for (const [uuid, session] of sessions) if (now - session.lastUsed > session.maxIdleMs) sessions.delete(uuid);
  };

  const take = (index: VectorIndex, session: Session, count: number): WireRecord[] => {
    const store = index.namespaceForRead(session.namespace);
    const out: WireRecord[] = [];
    while (out.length < count && session.position < session.ranking.length) {
      const { id, score } = session.ranking[session.position++]!;
      const slot = store?.slotOf(id);
      if (store && slot !== undefined) out.push(toWireRecord(store, slot, session.include, score));
    }
    return out;
  };

  const start =
    (fromData: boolean): CommandHandler =>
    async ({ index, namespace, body }) => {
      const request = parseBody(resumableStartSchema, body);
      const predicate = compileFilterOrThrow(request.filter);
      const [vector] = await queryVectors([request], index, fromData);
      const store = index.namespaceForRead(namespace);
      const ranking = rank(store, index, vector!, Infinity, predicate).map(({ slot, score }) => ({ id: store!.idAt(slot), score }));
      const now = Date.now();
      dropExpired(now);
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      const uuid = randomUUID();
      const session: Session = {
        namespace,
        ranking,
        position: 0,
        include: { includeMetadata: request.includeMetadata, includeVectors: request.includeVectors, includeData: request.includeData },
        maxIdleMs: (request.maxIdle ?? DEFAULT_MAX_IDLE_SECONDS) * 1000,
        lastUsed: now,
      };
      sessions.set(uuid, session);
      return { uuid, scores: take(index, session, request.topK) };
    };

  const sessionOrThrow = (uuid: string): Session => {
    const now = Date.now();
    dropExpired(now);
    const session = sessions.get(uuid);
    if (!session) throw new VectorError(404, `Resumable query ${uuid} does not exist or has expired`);
    session.lastUsed = now;
    return session;
  };

  return {
    "resumable-query": start(false),
    "resumable-query-data": start(true),
    "resumable-query-next": ({ index, body }) => {
      const request = parseBody(resumableNextSchema, body);
      return take(index, sessionOrThrow(request.uuid), request.additionalK);
    },
    "resumable-query-end": ({ body }) => {
      const request = parseBody(resumableEndSchema, body);
      sessionOrThrow(request.uuid);
      sessions.delete(request.uuid);
      return "Success";
    },
  };
}
