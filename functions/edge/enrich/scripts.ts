// Lua scripts that make enrichment's multi-key steps atomic on Upstash Redis (EVAL): intake (create
// the record's hash once per id and, on the streams path, XADD it — the idempotency of POST
// /v1/enrich), settle (store a result or a dead letter once, then XACK — so an ack never precedes the
// stored outcome and a record reclaimed after a crash or delivered twice by the queue never writes a
// second one) and replay (a dead letter back to the intake).

/**
 * KEYS: record hash, intake stream, tenants set. ARGV: tenant, kind, body (JSON), at, template, type,
 * ttl seconds, delivery ("streams" | "queue"). A record id seen before adds nothing:
 * → {0, status, entry id or ""}; otherwise the hash is created, and on the streams path the record is
 * XADDed (the hash names its entry) → {1, entry id}; on the queue path there is no entry → {1, ""}.
 */
export const INTAKE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  local row = redis.call('HMGET', KEYS[1], 'status', 'entryId')
  return {0, row[1], row[2] or ''}
end
local fields = {'kind', ARGV[2], 'template', ARGV[5], 'type', ARGV[6], 'status', 'queued', 'attempts', 0, 'attemptsBase', 0,
  'enqueuedAt', ARGV[4], 'updatedAt', ARGV[4], 'body', ARGV[3]}
local entry = ''
if ARGV[8] ~= 'queue' then
  entry = redis.call('XADD', KEYS[2], '*', 'kind', ARGV[2], 'body', ARGV[3], 'at', ARGV[4])
  fields[#fields + 1] = 'entryId'
  fields[#fields + 1] = entry
  redis.call('SADD', KEYS[3], ARGV[1])
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[7])
return {1, entry}`;

/**
 * A record a producer XADDed directly gets its hash on first sight. KEYS: record hash. ARGV: kind,
 * template, type, entry id, at, ttl, body. Returns the entry id the hash belongs to (an id XADDed twice
 * belongs to its first entry; the later one is acknowledged as a duplicate).
 */
export const ADOPT_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'kind', ARGV[1], 'template', ARGV[2], 'type', ARGV[3], 'status', 'queued', 'attempts', 0, 'attemptsBase', 0,
    'enqueuedAt', ARGV[5], 'updatedAt', ARGV[5], 'entryId', ARGV[4], 'body', ARGV[7])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
end
return redis.call('HGET', KEYS[1], 'entryId')`;

/**
 * Stores a final outcome once, then acknowledges the entry. KEYS: record hash, output stream (results
 * or dead letters), intake stream. ARGV: group, entry id ("" for a record the queue delivered: no XACK), status
 * ("done" | "dead_lettered"), now, stream max length, ttl, n, then n hash field/value pairs, then the
 * output entry's field/value pairs. A record already done or dead-lettered is left as it is (→ 0);
 * otherwise the hash is updated and the output entry added (→ 1). The XACK comes last either way.
 */
export const SETTLE_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
local written = 0
if status ~= 'done' and status ~= 'dead_lettered' then
  local n = tonumber(ARGV[7])
  local fields = {'status', ARGV[3], 'finishedAt', ARGV[4], 'updatedAt', ARGV[4]}
  for i = 8, 7 + 2 * n do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(fields))
  redis.call('HDEL', KEYS[1], 'nextAttemptAt')
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  local entry = {}
  for i = 8 + 2 * n, #ARGV do entry[#entry + 1] = ARGV[i] end
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(entry))
  written = 1
end
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[2])
end
return written`;

/**
 * Sends a dead-lettered record through the intake again with a fresh attempt budget, on the tenant's
 * current delivery path. KEYS: record hash, intake stream, tenants set. ARGV: now, ttl, delivery,
 * tenant. → {1, entry id ("" on the queue path: the caller sends the message)}, or {0, status} when
 * it is not dead-lettered.
 */
export const REPLAY_SCRIPT = `
local row = redis.call('HMGET', KEYS[1], 'status', 'kind', 'body', 'attempts')
if row[1] ~= 'dead_lettered' or not row[3] then
  return {0, row[1] or 'missing'}
end
local entry = ''
if ARGV[3] == 'queue' then
  redis.call('HDEL', KEYS[1], 'entryId')
else
  entry = redis.call('XADD', KEYS[2], '*', 'kind', row[2], 'body', row[3], 'at', ARGV[1])
  redis.call('HSET', KEYS[1], 'entryId', entry)
  redis.call('SADD', KEYS[3], ARGV[4])
end
redis.call('HSET', KEYS[1], 'status', 'queued', 'attemptsBase', row[4] or 0, 'updatedAt', ARGV[1])
redis.call('HDEL', KEYS[1], 'finishedAt', 'reason', 'nextAttemptAt')
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, entry}`;
