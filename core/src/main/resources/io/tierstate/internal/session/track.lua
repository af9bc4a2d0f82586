-- Keeps a live-session set for statistics: members are scored by their expiry ms and pruned
-- lazily once past it, so the set needs no keyspace notifications and expires with its last member.
-- KEYS[1] the set; ARGV[1] 'add', 'update' (only existing members) or 'none', ARGV[2] expiry ms,
-- ARGV[3] member, ARGV[4..] members to remove. Returns the number of live members.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] == 'add' then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
elseif ARGV[1] == 'update' then
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[3])
end
if #ARGV >= 4 then
  redis.call('ZREM', KEYS[1], unpack(ARGV, 4))
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last == 2 then
  redis.call('PEXPIREAT', KEYS[1], math.floor(tonumber(last[2])))
end
return redis.call('ZCARD', KEYS[1])
