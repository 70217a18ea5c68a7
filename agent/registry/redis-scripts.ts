/**
 * The Lua scripts behind the Redis registry store (agent/registry/redis-store.ts). Each store
 * operation is one script, so Redis runs it atomically: two replicas can never both claim an id.
 *
 * Every script receives the same KEYS, in the order of {@link REGISTRY_KEY_NAMES}; `now` and
 * `ttl` arrive as the decimal strings JavaScript printed, so Lua's doubles hold exactly the
 * numbers the memory store compares (`now - registeredAt > ttl` means expired in both).
 */

/** The store's keys, in the KEYS order every script expects; each is `<prefix>registry:{…}:<name>`. */
export const REGISTRY_KEY_NAMES = [
  'seq',
  'queue',
  'anonymous',
  'callers',
  'caller-member',
  'entries',
  'registered-at',
  'claimed',
  'claimed-at',
] as const;

/** One of {@link REGISTRY_KEY_NAMES}. */
export type RegistryKeyName = (typeof REGISTRY_KEY_NAMES)[number];

const PRELUDE = `
local K_SEQ, K_QUEUE, K_ANON, K_CALLERS, K_CALLER_MEMBER = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local K_ENTRIES, K_AT, K_CLAIMED, K_CLAIMED_AT = KEYS[6], KEYS[7], KEYS[8], KEYS[9]

-- The caller index member prefix: "<length>:<number>", so no number's prefix is another's.
local function caller_prefix(from)
  return #from .. ':' .. from
end

local function remove_pending(id)
  redis.call('ZREM', K_QUEUE, id)
  redis.call('ZREM', K_ANON, id)
  redis.call('ZREM', K_AT, id)
  local member = redis.call('HGET', K_CALLER_MEMBER, id)
  if member then
    redis.call('ZREM', K_CALLERS, member)
    redis.call('HDEL', K_CALLER_MEMBER, id)
  end
  redis.call('HDEL', K_ENTRIES, id)
end

-- Drops expired registrations (oldest registration time first) and claims older than the TTL
-- (in claim order, stopping at the first one still remembered, like the memory store).
local function purge(now, ttl)
  local expired = 0
  while true do
    local head = redis.call('ZRANGE', K_AT, 0, 0, 'WITHSCORES')
    if #head == 0 or not (now - tonumber(head[2]) > ttl) then break end
    remove_pending(head[1])
    expired = expired + 1
  end
  while true do
    local head = redis.call('ZRANGE', K_CLAIMED, 0, 0)
    if #head == 0 then break end
    local at = tonumber(redis.call('HGET', K_CLAIMED_AT, head[1]))
    if at ~= nil and not (now - at > ttl) then break end
    redis.call('ZREM', K_CLAIMED, head[1])
    redis.call('HDEL', K_CLAIMED_AT, head[1])
  end
  return expired
end

-- Every key expires on its own, so a prefix nobody uses any more does not stay in Redis.
local function refresh_expiry(ms)
  for i = 1, #KEYS do
    redis.call('PEXPIRE', KEYS[i], ms)
  end
end
`;

/**
 * `add`. ARGV: now, ttl, capacity, keyExpiryMs, id, entryJson, registeredAt, hasFrom ('1'/'0'), from.
 * Returns `{status, pending, evicted}` with status `added`, `duplicate` or `full`.
 */
export const ADD_SCRIPT = `${PRELUDE}
local now, ttl, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local id = ARGV[5]
local evicted = purge(now, ttl)
local pending = redis.call('ZCARD', K_QUEUE)
local status
if redis.call('HEXISTS', K_ENTRIES, id) == 1 or redis.call('ZSCORE', K_CLAIMED, id) then
  status = 'duplicate'
elseif pending >= capacity then
  status = 'full'
else
  local seq = redis.call('INCR', K_SEQ)
  redis.call('ZADD', K_QUEUE, seq, id)
  redis.call('ZADD', K_AT, ARGV[7], id)
  redis.call('HSET', K_ENTRIES, id, ARGV[6])
  if ARGV[8] == '1' then
    local member = caller_prefix(ARGV[9]) .. string.format('%016d', seq) .. id
    redis.call('ZADD', K_CALLERS, 0, member)
    redis.call('HSET', K_CALLER_MEMBER, id, member)
  else
    redis.call('ZADD', K_ANON, seq, id)
  end
  pending = pending + 1
  status = 'added'
end
refresh_expiry(ARGV[4])
return {status, pending, evicted}
`;

/**
 * `claim`. ARGV: now, ttl, capacity, keyExpiryMs, strategy, hasFrom ('1'/'0'), from.
 * Returns `{'claimed', purged, entryJson, matchedBy}` or `{'none', purged}`.
 */
export const CLAIM_SCRIPT = `${PRELUDE}
local now, ttl, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local strategy = ARGV[5]
local purged = purge(now, ttl)
local id, matched_by
if strategy ~= 'fifo' and ARGV[6] == '1' then
  local prefix = caller_prefix(ARGV[7])
  local hit = redis.call('ZRANGEBYLEX', K_CALLERS, '(' .. prefix, '[' .. prefix .. '\\255', 'LIMIT', 0, 1)
  if #hit > 0 then
    id = string.sub(hit[1], #prefix + 17)
    matched_by = 'caller-id'
  end
end
if not id then
  local head = redis.call('ZRANGE', strategy == 'caller-id' and K_ANON or K_QUEUE, 0, 0)
  if #head > 0 then
    id = head[1]
    matched_by = 'fifo'
  end
end
if not id then
  return {'none', purged}
end
local entry = redis.call('HGET', K_ENTRIES, id)
remove_pending(id)
redis.call('ZADD', K_CLAIMED, redis.call('INCR', K_SEQ), id)
redis.call('HSET', K_CLAIMED_AT, id, ARGV[1])
-- The claimed-id memory shares the capacity bound; the oldest claim is forgotten first.
if redis.call('ZCARD', K_CLAIMED) > capacity then
  local oldest = redis.call('ZPOPMIN', K_CLAIMED)
  redis.call('HDEL', K_CLAIMED_AT, oldest[1])
end
refresh_expiry(ARGV[4])
return {'claimed', purged, entry or false, matched_by}
`;

/** `pendingCount`. ARGV: now, ttl. Returns the number of live registrations. */
export const COUNT_SCRIPT = `${PRELUDE}
purge(tonumber(ARGV[1]), tonumber(ARGV[2]))
return redis.call('ZCARD', K_QUEUE)
`;
