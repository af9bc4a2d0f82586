-- Raises the namespace's trust floor (epoch millis: L2 entries created before it read as misses)
-- and never lowers it, so concurrent raises by several nodes keep the highest.
-- KEYS[1] floor; ARGV[1] the floor the caller wants (0 to only read it). Returns the floor now.
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local wanted = tonumber(ARGV[1]) or 0
if wanted > current then
  redis.call('SET', KEYS[1], ARGV[1])
  return wanted
end
return current
