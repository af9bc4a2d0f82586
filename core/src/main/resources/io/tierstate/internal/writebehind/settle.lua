-- Settles a delivered batch atomically: records the versions written, moves failed entries to the
-- dead-letter stream, acknowledges and deletes every entry of the batch, then trims records of
-- keys settled longer ago than the retention (at most 200 per call, so the work stays bounded).
-- KEYS[1] the stream, KEYS[2] the dead-letter stream, KEYS[3] the hash of the last version written
-- per key, KEYS[4] the sorted set of when each key was last handed or settled (milliseconds, server
-- clock), KEYS[5] the hash of the last version handed per key
-- ARGV[1] the group, ARGV[2] this node's id, ARGV[3] n written, ARGV[4] m dead, ARGV[5] the retention
-- in milliseconds, then n pairs (key, version), then m quads (key, version, value, error), then the
-- entry ids
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local written = tonumber(ARGV[3])
local dead = tonumber(ARGV[4])
local retention = tonumber(ARGV[5])
local i = 6
for _ = 1, written do
  local key, version = ARGV[i], tonumber(ARGV[i + 1])
  local current = tonumber(redis.call('HGET', KEYS[3], key) or '0')
  if version > current then
    redis.call('HSET', KEYS[3], key, ARGV[i + 1])
  end
  redis.call('ZADD', KEYS[4], now, key)
  i = i + 2
end
for _ = 1, dead do
  redis.call('XADD', KEYS[2], '*', 'k', ARGV[i], 'n', ARGV[i + 1], 'v', ARGV[i + 2], 'error', ARGV[i + 3], 'o', ARGV[2])
  i = i + 4
end
local settled = 0
while i <= #ARGV do
  local ids = {}
  while i <= #ARGV and #ids < 500 do
    ids[#ids + 1] = ARGV[i]
    i = i + 1
  end
  redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
  redis.call('XDEL', KEYS[1], unpack(ids))
  settled = settled + #ids
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - retention), 'LIMIT', 0, 200)
if #expired > 0 then
  redis.call('HDEL', KEYS[3], unpack(expired))
  redis.call('HDEL', KEYS[5], unpack(expired))
  redis.call('ZREM', KEYS[4], unpack(expired))
end
return settled
