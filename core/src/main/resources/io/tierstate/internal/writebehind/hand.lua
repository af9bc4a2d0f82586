-- Decides, atomically, which entries of a batch may be handed to the batch writer now, and records
-- them as handed: an entry is dropped when its key was written at its version or a newer one, or
-- was handed at a newer version (by any node, in an earlier batch or an earlier attempt of this
-- one: a batch retried after its backoff loses the keys another node wrote newer meanwhile).
-- An entry handed at the same version but never settled (its node died) is handed again.
-- KEYS[1] the hash of the last version written per key, KEYS[2] the hash of the last version
-- handed per key, KEYS[3] the sorted set of when each key was last handed or settled
-- ARGV pairs (key, version)
-- Returns 1 (hand it) or 0 (drop it) per pair.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local result = {}
for i = 1, #ARGV, 2 do
  local key, version = ARGV[i], tonumber(ARGV[i + 1])
  local written = tonumber(redis.call('HGET', KEYS[1], key) or '0')
  local handed = tonumber(redis.call('HGET', KEYS[2], key) or '0')
  if version <= written or version < handed then
    result[#result + 1] = 0
  else
    if version > handed then
      redis.call('HSET', KEYS[2], key, ARGV[i + 1])
    end
    redis.call('ZADD', KEYS[3], now, key)
    result[#result + 1] = 1
  end
end
return result
