/**
 * The Spring Redis store's Lua scripts. Each runs atomically on one standalone server (Spring's
 * keys carry no hash tag, so a session's keys are spread over a Cluster's slots and these scripts
 * could not run there). Field names and key shapes come from redis-layout.ts through ARGV; the
 * scripts build only the keys whose names depend on what they read (the old principal's set, the
 * old expiry's minute bucket).
 */

/** Shared helpers: reading Spring's JSON-number fields and its expiry rules. */
const HELPERS = `
local function meta(hash)
  local f = redis.call('HMGET', hash, 'creationTime', 'lastAccessedTime', 'maxInactiveInterval')
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
  return math.floor((expiresAt + 60000) / 60000) * 60000
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
 * SAVE: applies one write in Spring's layout. Keys are built from the ids and `<ns>:sessions:`
 * (standalone only), since a write that finds its session moved follows the moved markers
 * (`<ns>:sessions:moved:<old id>` → the new id, sessiongen's own keys, which Spring ignores).
 *
 * KEYS: 1 source hash (the old id's when the id changes), 2 target hash, 3 source shadow key,
 * 4 target shadow key, 5 the expirations sorted set, 6 the source's moved marker.
 * ARGV: 1 flavour (`indexed`|`plain`), 2 new (`1`|`0`), 3 now, 4 id, 5 source id, 6 timeout (s),
 * 7 expiry (ms, `-1` never), 8 principal changed (`1`|`0`), 9 new principal (`` none),
 * 10 principal key prefix, 11 expirations (`minute`|`sorted-set`), 12 bucket key prefix,
 * 13 principal field, 14 created channel (`` none), 15 created message, 16 grace (ms),
 * 17 `<ns>:sessions:`, 18 how long an id change's marker lasts (ms), 19 n fields to set, then
 * field/value pairs, then n fields to delete, then the fields.
 *
 * Returns 1 (written), 0 (gone: not new and missing, expired or deleted), 2 (moved: an id change
 * whose session another id change moved first) or -1 (the stored times are not JSON numbers:
 * written by Java with another serializer).
 */
export const SPRING_SAVE_SCRIPT = `${HELPERS}
local flavour, isNew, now = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3])
local id, sourceId = ARGV[4], ARGV[5]
local mi, expiresAt = tonumber(ARGV[6]), tonumber(ARGV[7])
local principalChanged, newPrincipal, principalPrefix = ARGV[8] == '1', ARGV[9], ARGV[10]
local expirations, bucketPrefix, principalField = ARGV[11], ARGV[12], ARGV[13]
local channel, message, grace = ARGV[14], ARGV[15], tonumber(ARGV[16])
local P, forwardingMs = ARGV[17], tonumber(ARGV[18])
local zset = KEYS[5]
local indexed = flavour == 'indexed'
local function hashKey(sid) return P .. sid end
local function shadowKey(sid) return P .. 'expires:' .. sid end
local function markerKey(sid) return P .. 'moved:' .. sid end
local function member(sid) return '"' .. sid .. '"' end
local function bucketMember(sid) return '"expires:' .. sid .. '"' end

-- The live session an id was moved to, following up to 8 markers.
local function follow(from)
  local at = from
  for hop = 1, 8 do
    local nextId = redis.call('GET', markerKey(at))
    if not nextId then return nil end
    local m = meta(hashKey(nextId))
    if m and live(m, now) then return nextId, m end
    at = nextId
  end
  return nil
end

local moving = sourceId ~= id
local old = meta(hashKey(sourceId))
if old == false then return -1 end
if not isNew and (old == nil or not live(old, now)) then
  local movedTo, m = follow(sourceId)
  if moving then
    if movedTo then return 2 end
    return 0
  end
  if not movedTo then return 0 end
  id, sourceId, old = movedTo, movedTo, m
end
local source, target = hashKey(sourceId), hashKey(id)
local sourceShadow, targetShadow = shadowKey(sourceId), shadowKey(id)
local idMember, sourceMember = member(id), member(sourceId)
local oldPrincipal = nil
if indexed and old then oldPrincipal = principalOf(source, principalField) end

if moving then
  redis.call('RENAME', source, target)
  if indexed and redis.call('EXISTS', sourceShadow) == 1 then redis.call('RENAME', sourceShadow, targetShadow) end
  redis.call('SET', markerKey(sourceId), id, 'PX', forwardingMs)
end

local i = 19
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
  if mi < 0 then
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
    if mi > 0 then redis.call('ZADD', zset, expiresAt, idMember) else redis.call('ZREM', zset, idMember) end
  else
    local bucket = nil
    if mi > 0 then bucket = bucketOf(expiresAt) end
    if old and old.mi > 0 then
      local oldBucket = bucketOf(old.la + old.mi * 1000)
      if moving or oldBucket ~= bucket then redis.call('SREM', bucketPrefix .. oldBucket, bucketMember(sourceId)) end
    end
    if bucket then
      local key = bucketPrefix .. bucket
      redis.call('SADD', key, bucketMember(id))
      redis.call('PEXPIRE', key, mi * 1000 + grace)
    end
  end
else
  if mi < 0 then
    redis.call('PERSIST', target)
  else
    redis.call('PEXPIREAT', target, expiresAt)
  end
end
return 1
`;

/**
 * MOVED: whether an id was changed, within its marker's lifetime, to one whose session still
 * lives (following up to 8 markers). KEYS: 1 the id's marker. ARGV: 1 now, 2 `<ns>:sessions:`.
 * Returns 1 or 0.
 */
export const SPRING_MOVED_SCRIPT = `${HELPERS}
local now, P = tonumber(ARGV[1]), ARGV[2]
local nextId = redis.call('GET', KEYS[1])
for hop = 1, 8 do
  if not nextId then return 0 end
  local m = meta(P .. nextId)
  if m and live(m, now) then return 1 end
  nextId = redis.call('GET', P .. 'moved:' .. nextId)
end
return 0
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
  if redis.call('HEXISTS', hash, 'creationTime') == 0 then return 0 end
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
redis.call('HSET', hash, 'maxInactiveInterval', '0')
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
