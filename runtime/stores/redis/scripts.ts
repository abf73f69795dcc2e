/**
 * The Lua scripts of the Redis store, run with EVALSHA (ioredis `defineCommand` loads them on
 * NOSCRIPT). Every script touches only keys of one cluster slot that it is given in KEYS, with
 * one documented exception: on a standalone server (where there are no slots) SAVE and DELETE
 * also remove the session from the index keys of its previous index values, which they compute
 * from the stored JSON (`ARGV` "inline index prefix"). On a cluster that prefix is empty and the
 * store removes those entries itself, per slot.
 *
 * Numbers travel as decimal strings and are passed on unchanged, so no Lua float formatting ever
 * reaches a command. Hash field names come from the layout (`F`).
 */
import { META_FIELDS as F } from './layout.js';

/** Shared helpers: chunked variadic calls (Lua's unpack has a stack limit) and index upkeep. */
const HELPERS = `
local function chunked(cmd, key, list, from, to, step)
  local i = from
  while i <= to do
    local j = math.min(to, i + step - 1)
    redis.call(cmd, key, unpack(list, i, j))
    i = j + 1
  end
end
-- Drops members whose session has expired by now, then keeps the key alive exactly as long as
-- its longest-lived member (forever when one never expires). An emptied zset is gone already.
local function upkeep(key, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if #top == 0 then return end
  if top[2] == 'inf' then
    redis.call('PERSIST', key)
  else
    redis.call('PEXPIREAT', key, top[2])
  end
end
`;

/**
 * SAVE: applies one delta.
 * KEYS: 1 source hash, 2 target hash (same as 1 unless the id changes on a standalone server),
 *       3 source move lock, 4 source moved marker, 5.. index keys that should hold the target id
 *       (standalone only)
 * ARGV: 1 mode (`n` create, `u` update), 2 now, 3 expiresAt (`-1` never), 4 target id, 5 source id,
 *       6 inline index prefix (`''` on a cluster), 7 refresh score (the index score to write when the
 *       entries need one: expiry + half the timeout, or `+inf`), 8 highest acceptable score
 *       (expiry + a whole timeout; `+inf` when never expiring), 9 how many index values the
 *       session now has, 10 index count n, 11..10+n index attribute fields, then a count and
 *       field/value pairs to HSET, then a count and fields to HDEL, then how long (ms) the moved
 *       marker of an id change lasts.
 * Index entries are scored with an upper bound of the session's expiry, recorded in the hash as
 * `#indexedUntil`; a save rewrites them only when the session would outlive that bound, when it
 * is far below it, or when an indexed value or the id changed, so most saves leave them alone.
 * An id change (source ≠ target) leaves the marker source → target id (KEYS[4]).
 * Returns {written (1/0), alive (1/0), index score written or false, previous JSON of each
 * index attribute...}. Not written (`gone`) when an update finds the source missing or expired at
 * `now`; {2, 0, new id} when it is missing but its moved marker names the id it has now; {3, 0}
 * while a cluster move of the source holds its lock.
 */
export const SAVE_SCRIPT = `${HELPERS}
local source, target, lock, marker = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local mode, now, expiresAt, id, sourceId, inlinePrefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local refreshScore, highestScore, nValues = ARGV[7], ARGV[8], tonumber(ARGV[9])
local nIdx = tonumber(ARGV[10])
local p = 11
local idxFields = {}
for i = 1, nIdx do idxFields[i] = ARGV[p]; p = p + 1 end
local old = {}
for i = 1, nIdx do old[i] = false end
local indexedUntil = false
if mode == 'u' then
  local cur = redis.call('HMGET', source, '${F.lastAccessedTime}', '${F.maxInactiveInterval}', '${F.indexedUntil}', unpack(idxFields))
  if not cur[1] or not cur[2] then
    local movedTo = redis.call('GET', marker)
    if movedTo then return {2, 0, movedTo} end
    return {0, 0}
  end
  if redis.call('EXISTS', lock) == 1 then return {3, 0} end
  local lat, mii = tonumber(cur[1]), tonumber(cur[2])
  if mii >= 0 and tonumber(now) - mii * 1000 >= lat then return {0, 0} end
  indexedUntil = cur[3] or false
  for i = 1, nIdx do old[i] = cur[3 + i] or false end
  if source ~= target then
    redis.call('COPY', source, target, 'REPLACE')
    redis.call('DEL', source)
    redis.call('SET', marker, id, 'PX', ARGV[#ARGV])
  end
else
  redis.call('DEL', target)
end
local nSet = tonumber(ARGV[p]); p = p + 1
if nSet > 0 then
  -- pairs stay together: the step is even
  chunked('HSET', target, ARGV, p, p + 2 * nSet - 1, 1000)
end
p = p + 2 * nSet
local nDel = tonumber(ARGV[p]); p = p + 1
if nDel > 0 then chunked('HDEL', target, ARGV, p, p + nDel - 1, 1000) end
local alive = 1
if expiresAt == '-1' then
  redis.call('PERSIST', target)
elseif tonumber(expiresAt) <= tonumber(now) then
  redis.call('DEL', target)
  alive = 0
else
  redis.call('PEXPIREAT', target, expiresAt)
end
local changed = mode == 'n' or sourceId ~= id or alive == 0
local cur = {}
if mode == 'u' and alive == 1 and nIdx > 0 then
  cur = redis.call('HMGET', target, unpack(idxFields))
  for i = 1, nIdx do
    if (cur[i] or false) ~= old[i] then changed = true end
  end
end
if inlinePrefix ~= '' and mode == 'u' then
  for i = 1, nIdx do
    if old[i] and (alive == 0 or sourceId ~= id or cur[i] ~= old[i]) then
      local k = inlinePrefix .. idxFields[i] .. ':' .. old[i]
      redis.call('ZREM', k, sourceId)
      upkeep(k, now)
    end
  end
end
local written = false
if alive == 1 and nValues > 0 then
  local refresh = changed or not indexedUntil
  if not refresh then
    if expiresAt == '-1' then
      refresh = indexedUntil ~= 'inf'
    elseif indexedUntil == 'inf' then
      refresh = true
    else
      local bound = tonumber(indexedUntil)
      refresh = tonumber(expiresAt) > bound or bound > tonumber(highestScore)
    end
  end
  if refresh then
    written = refreshScore
    redis.call('HSET', target, '${F.indexedUntil}', refreshScore == '+inf' and 'inf' or refreshScore)
    for k = 5, #KEYS do
      redis.call('ZADD', KEYS[k], refreshScore, id)
      upkeep(KEYS[k], now)
    end
  end
elseif alive == 1 and indexedUntil then
  redis.call('HDEL', target, '${F.indexedUntil}')
end
local reply = {1, alive, written}
for i = 1, nIdx do reply[3 + i] = old[i] end
return reply
`;

/**
 * TOUCH: the common save, cheaply: an update with no id change, no removal and no index value
 * changed, of a session whose index entries are still good for its new expiry. Anything else
 * (or a session whose expiry has passed) answers "use SAVE" and writes nothing.
 * KEYS: 1 hash, 2 move lock, 3 moved marker.
 * ARGV: 1 now, 2 expiresAt (`-1` never), 3 highest acceptable index score (`+inf` when never
 *       expiring), 4 how many index values the session has, then field/value pairs to HSET.
 * Returns 1 written, 0 gone (missing or expired at `now`), 2 use SAVE (which also tells a moved or
 * moving session).
 */
export const TOUCH_SCRIPT = `
local key = KEYS[1]
local cur = redis.call('HMGET', key, '${F.lastAccessedTime}', '${F.maxInactiveInterval}', '${F.indexedUntil}')
if not cur[1] or not cur[2] then return redis.call('EXISTS', KEYS[3]) == 1 and 2 or 0 end
local now, expiresAt = tonumber(ARGV[1]), ARGV[2]
local mii = tonumber(cur[2])
if mii >= 0 and now - mii * 1000 >= tonumber(cur[1]) then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
if expiresAt ~= '-1' and tonumber(expiresAt) <= now then return 2 end
local bound = cur[3]
if tonumber(ARGV[4]) > 0 then
  if not bound then return 2 end
  if expiresAt == '-1' then
    if bound ~= 'inf' then return 2 end
  elseif bound == 'inf' or tonumber(expiresAt) > tonumber(bound) or tonumber(bound) > tonumber(ARGV[3]) then
    return 2
  end
elseif bound then
  return 2
end
redis.call('HSET', key, unpack(ARGV, 5))
if expiresAt == '-1' then
  redis.call('PERSIST', key)
else
  redis.call('PEXPIREAT', key, expiresAt)
end
return 1
`;

/**
 * DELETE: removes the session hash (and a move lock, which makes a concurrent cluster move give up).
 * KEYS: 1 hash, 2 move lock.  ARGV: 1 inline index prefix, 2 index count n, 3..2+n index fields, then the id and now.
 * Returns {deleted (1/0), previous JSON of each index attribute...}.
 */
export const DELETE_SCRIPT = `${HELPERS}
local key, lock = KEYS[1], KEYS[2]
local inlinePrefix, nIdx = ARGV[1], tonumber(ARGV[2])
local idxFields = {}
for i = 1, nIdx do idxFields[i] = ARGV[2 + i] end
local id, now = ARGV[3 + nIdx], ARGV[4 + nIdx]
local cur = {}
if nIdx > 0 then cur = redis.call('HMGET', key, unpack(idxFields)) end
local deleted = redis.call('DEL', key)
redis.call('DEL', lock)
local reply = {deleted}
for i = 1, nIdx do
  local v = cur[i]
  reply[1 + i] = v or false
  if v and inlinePrefix ~= '' then
    local k = inlinePrefix .. idxFields[i] .. ':' .. v
    redis.call('ZREM', k, id)
    upkeep(k, now)
  end
end
return reply
`;

/**
 * MOVE_BEGIN (cluster, old id's slot): claims the session for a move to a new id.
 * KEYS: 1 old hash, 2 old move lock, 3 old moved marker.  ARGV: 1 now, 2 new id, 3 lock ms.
 * Returns {1, the old hash's fields and values...}; {0} when it is gone or expired; {2} when its
 * moved marker says another change already moved it; {3} while another change is moving it.
 */
export const MOVE_BEGIN_SCRIPT = `
local key, lock = KEYS[1], KEYS[2]
local cur = redis.call('HMGET', key, '${F.lastAccessedTime}', '${F.maxInactiveInterval}')
if not cur[1] or not cur[2] then return redis.call('EXISTS', KEYS[3]) == 1 and {2} or {0} end
local lat, mii = tonumber(cur[1]), tonumber(cur[2])
if mii >= 0 and tonumber(ARGV[1]) - mii * 1000 >= lat then return {0} end
if not redis.call('SET', lock, ARGV[2], 'NX', 'PX', ARGV[3]) then return {3} end
local reply = redis.call('HGETALL', key)
table.insert(reply, 1, 1)
return reply
`;

/**
 * MOVE_END (cluster, old id's slot): deletes the old hash once the new one is written, and leaves
 * the moved marker old id → new id.
 * KEYS: 1 old hash, 2 old move lock, 3 old moved marker.  ARGV: 1 new id, 2 marker ms.
 * Returns 1, or 0 when the lock is no longer ours (the session was deleted meanwhile).
 */
export const MOVE_END_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * INDEX_ADD (cluster, the index key's slot): adds one member or raises its score (`GT`: two saves
 * whose INDEX_ADDs arrive out of order never lower the bound the hash recorded).
 * KEYS: 1 index key.  ARGV: 1 member, 2 score (`+inf` never expires), 3 now.
 */
export const INDEX_ADD_SCRIPT = `${HELPERS}
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
upkeep(KEYS[1], ARGV[3])
return 1
`;

/**
 * INDEX_REMOVE (cluster, the index key's slot): removes members, then the same upkeep as INDEX_ADD,
 * so that removing a never-expiring member gives the key back a TTL.
 * KEYS: 1 index key.  ARGV: 1 now, 2.. members.
 */
export const INDEX_REMOVE_SCRIPT = `${HELPERS}
redis.call('ZREM', KEYS[1], unpack(ARGV, 2))
upkeep(KEYS[1], ARGV[1])
return 1
`;

/**
 * INDEX_READ: prunes members expired by `now`, refreshes the key's TTL, returns the rest.
 * KEYS: 1 index key.  ARGV: 1 now.
 */
export const INDEX_READ_SCRIPT = `${HELPERS}
upkeep(KEYS[1], ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;
