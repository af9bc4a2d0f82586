-- Adds keys to a tag's set and keeps the set alive at least as long as its newest member.
-- KEYS[1] tag set; ARGV[1] TTL ms of the members, ARGV[2..n] member keys.
redis.call('SADD', KEYS[1], unpack(ARGV, 2))
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or ttl < tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1
