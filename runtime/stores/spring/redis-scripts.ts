import { SPRING_BUCKET_MS, SPRING_REDIS_FIELDS as F } from './redis-layout.js';

/**
 * The Spring Redis store's Lua scripts. Each runs atomically on one standalone server (Spring's
 * keys carry no hash tag, so a session's keys are spread over a Cluster's slots and these scripts
 * could not run there). Field names and the bucket width come from redis-layout.ts; keys, members
 * and key prefixes come from it through KEYS and ARGV. The scripts build only the keys whose names
 * depend on what they read: the old principal's set and the old expiry's minute bucket.
 */

/** Shared helpers: reading Spring's JSON-number fields and its expiry rules. */
const HELPERS = `
local function meta(hash)
  local f = redis.call('HMGET', hash, '${F.creationTime}', '${F.lastAccessedTime}', '${F.maxInactiveInterval}')
  if not f[1] or not f[2] or not f[3] then return nil end
  local la, mi = tonumber(f[2]), tonumber(f[3])
  if la == nil or mi == nil or tonumber(f[1]) == nil then return false end
  return { la = la, mi = mi }
end
local function live(m, now)
  if m.mi < 0 then return true end
  if m.mi == 0 then return false end
  return now < m.la + m.mi * 1000
end
local function bucketOf(expiresAt)
  return math.floor((expiresAt + ${SPRING_BUCKET_MS}) / ${SPRING_BUCKET_MS}) * ${SPRING_BUCKET_MS}
end
local function principalOf(hash, field)
  local v = redis.call('HGET', hash, field)
  if not v or v == '' then return nil end
  local ok, decoded = pcall(cjson.decode, v)
  if ok and type(decoded) == 'string' then return decoded end
  return nil
end
`;

/**
 * SAVE: applies one write in Spring's layout.
 *
 * KEYS: 1 source hash (the old id's when the id changes), 2 target hash, 3 source shadow key,
 * 4 target shadow key, 5 the expirations sorted set, 6 the source's moved marker (sessiongen's
 * own key, which Spring never reads).
 * ARGV: 1 flavour (`indexed`|`plain`), 2 new (`1`|`0`), 3 now, 4 id member (JSON), 5 source id
 * member (JSON), 6 bucket member of the id, 7 bucket member of the source id, 8 timeout (s),
 * 9 expiry (ms, `-1` never: the write's `expiresAt`, which an absolute timeout may bring before the idle one), 10 principal changed (`1`|`0`), 11 new principal (`` none),
 * 12 principal key prefix, 13 expirations (`minute`|`sorted-set`), 14 bucket key prefix,
 * 15 principal field, 16 created channel (`` none), 17 created message, 18 grace (ms), 19 the id
 * (the marker's value), 20 how long an id change's marker lasts (ms), 21 n fields to set, then
 * field/value pairs, then n fields to delete, then the fields.
 *
 * Returns {1} written; {0} gone (not new, and missing, expired or deleted); {2} moved (an id change
 * whose session another id change moved first); {3, id} the session was moved to `id` (an update
 * the caller runs again there); {-1} the stored times are not JSON numbers (another serializer).
 */
export const SPRING_SAVE_SCRIPT = `${HELPERS}
local flavour, isNew, now = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3])
local idMember, sourceMember = ARGV[4], ARGV[5]
local bucketMember, sourceBucketMember = ARGV[6], ARGV[7]
local mi, expiresAt = tonumber(ARGV[8]), tonumber(ARGV[9])
local principalChanged, newPrincipal, principalPrefix = ARGV[10] == '1', ARGV[11], ARGV[12]
local expirations, bucketPrefix, principalField = ARGV[13], ARGV[14], ARGV[15]
local channel, message, grace = ARGV[16], ARGV[17], tonumber(ARGV[18])
local id, forwardingMs = ARGV[19], tonumber(ARGV[20])
local source, target, sourceShadow, targetShadow, zset, marker = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local moving = source ~= target
local indexed = flavour == 'indexed'

local old = meta(source)
if old == false then return {-1} end
if not isNew and (old == nil or not live(old, now)) then
  local movedTo = redis.call('GET', marker)
  if moving then
    if movedTo then return {2} end
    return {0}
  end
  if movedTo then return {3, movedTo} end
  return {0}
end
local oldPrincipal = nil
if indexed and old then oldPrincipal = principalOf(source, principalField) end

if moving then
  redis.call('RENAME', source, target)
  if indexed and redis.call('EXISTS', sourceShadow) == 1 then redis.call('RENAME', sourceShadow, targetShadow) end
  redis.call('SET', marker, id, 'PX', forwardingMs)
end

local i = 21
local n = tonumber(ARGV[i])
if n > 0 then
  local kv = {}
  for k = 1, 2 * n do kv[k] = ARGV[i + k] end
  redis.call('HSET', target, unpack(kv))
end
i = i + 2 * n + 1
local d = tonumber(ARGV[i])
if d > 0 then
  local fields = {}
  for k = 1, d do fields[k] = ARGV[i + k] end
  redis.call('HDEL', target, unpack(fields))
end

if indexed then
  if oldPrincipal and (principalChanged or moving) then
    redis.call('SREM', principalPrefix .. oldPrincipal, sourceMember)
  end
  if principalChanged then
    if newPrincipal ~= '' then redis.call('SADD', principalPrefix .. newPrincipal, idMember) end
  elseif moving and oldPrincipal then
    redis.call('SADD', principalPrefix .. oldPrincipal, idMember)
  end
  if channel ~= '' then redis.call('PUBLISH', channel, message) end
  if expiresAt < 0 then
    redis.call('APPEND', targetShadow, '')
    redis.call('PERSIST', targetShadow)
    redis.call('PERSIST', target)
  elseif mi == 0 or expiresAt <= now then
    redis.call('DEL', targetShadow)
    redis.call('PEXPIRE', target, grace)
  else
    redis.call('APPEND', targetShadow, '')
    redis.call('PEXPIREAT', targetShadow, expiresAt)
    redis.call('PEXPIREAT', target, expiresAt + grace)
  end
  if expirations == 'sorted-set' then
    if moving then redis.call('ZREM', zset, sourceMember) end
    if mi ~= 0 and expiresAt > 0 then redis.call('ZADD', zset, expiresAt, idMember) else redis.call('ZREM', zset, idMember) end
  else
    local bucket = nil
    if mi ~= 0 and expiresAt > 0 then bucket = bucketOf(expiresAt) end
    if old and old.mi > 0 then
      local oldBucket = bucketOf(old.la + old.mi * 1000)
      if moving or oldBucket ~= bucket then redis.call('SREM', bucketPrefix .. oldBucket, sourceBucketMember) end
    end
    if bucket then
      local key = bucketPrefix .. bucket
      redis.call('SADD', key, bucketMember)
      -- Spring's: the timeout and the grace; a session that only an absolute timeout ends: the time left and the grace.
      redis.call('PEXPIRE', key, (mi > 0 and mi * 1000 or expiresAt - now) + grace)
    end
  end
else
  if expiresAt < 0 then
    redis.call('PERSIST', target)
  else
    redis.call('PEXPIREAT', target, expiresAt)
  end
end
return {1}
`;

/**
 * MOVED: one hop of an id's moved markers. KEYS: 1 the id's marker. ARGV: 1 now, 2 the session
 * key prefix. Returns {1} when the marker names an id whose session lives, {2, id} when it names
 * one whose session is gone (whose own marker may lead on), {0} when there is no marker.
 */
export const SPRING_MOVED_SCRIPT = `${HELPERS}
local nextId = redis.call('GET', KEYS[1])
if not nextId then return {0} end
local m = meta(ARGV[2] .. nextId)
if m and live(m, tonumber(ARGV[1])) then return {1} end
return {2, nextId}
`;

/**
 * DELETE. Plain flavour: `DEL` the hash. Indexed flavour, as Spring's `deleteById`: leave the
 * principal set and the expiry tracking, `DEL` the shadow key (Spring's listeners publish their
 * SessionDeletedEvent from its `del` event), and keep the hash for the grace period with a timeout
 * of 0, so those listeners can still read it and no reader or save ever takes it for a live session.
 *
 * KEYS: 1 hash, 2 shadow, 3 expirations sorted set. ARGV: 1 flavour, 2 id member, 3 bucket member,
 * 4 principal key prefix, 5 expirations, 6 bucket key prefix, 7 principal field, 8 grace (ms).
 * Returns 1 when a session was deleted, 0 when there was none (or it was deleted already).
 */
export const SPRING_DELETE_SCRIPT = `${HELPERS}
local hash, shadow, zset = KEYS[1], KEYS[2], KEYS[3]
if ARGV[1] == 'plain' then
  if redis.call('HEXISTS', hash, '${F.creationTime}') == 0 then return 0 end
  redis.call('DEL', hash)
  return 1
end
local m = meta(hash)
if m == nil then return 0 end
local principal = principalOf(hash, ARGV[7])
if principal then redis.call('SREM', ARGV[4] .. principal, ARGV[2]) end
if ARGV[5] == 'sorted-set' then
  redis.call('ZREM', zset, ARGV[2])
elseif m and m.mi > 0 then
  redis.call('SREM', ARGV[6] .. bucketOf(m.la + m.mi * 1000), ARGV[3])
end
redis.call('DEL', shadow)
redis.call('HSET', hash, '${F.maxInactiveInterval}', '0')
redis.call('PEXPIRE', hash, tonumber(ARGV[8]))
if m and m.mi == 0 then return 0 end
return 1
`;

/**
 * EXPIRED: what Spring's listener does when a shadow key expires, so the principal set and the
 * expiry tracking do not outlive the session when no Java app is listening.
 *
 * KEYS: 1 hash, 2 expirations sorted set. ARGV: 1 id member, 2 bucket member, 3 principal key
 * prefix, 4 expirations, 5 bucket key prefix, 6 principal field.
 */
export const SPRING_EXPIRED_SCRIPT = `${HELPERS}
local hash, zset = KEYS[1], KEYS[2]
local principal = principalOf(hash, ARGV[6])
if principal then redis.call('SREM', ARGV[3] .. principal, ARGV[1]) end
if ARGV[4] == 'sorted-set' then
  redis.call('ZREM', zset, ARGV[1])
else
  local m = meta(hash)
  if m and m.mi > 0 then redis.call('SREM', ARGV[5] .. bucketOf(m.la + m.mi * 1000), ARGV[2]) end
end
return 1
`;
