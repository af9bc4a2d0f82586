-- Leaky bucket as a meter (GCRA): the bucket holds ARGV[1] units and leaks one per ARGV[2] µs. The
-- only state is the theoretical arrival time (TAT): when the bucket would be empty. A request of
-- ARGV[3] units fits if the bucket, after it, would not hold more than ARGV[1] units.
-- KEYS[1] string TAT µs; ARGV[1] capacity, ARGV[2] emission interval µs, ARGV[3] cost
-- Returns {1 allowed | 0 denied, remaining, reset at µs, retry after µs, now µs}
redis.replicate_commands() -- needed on Redis < 5 only, where TIME is non-deterministic
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local capacity = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local new_tat = tat + cost * interval
local allow_at = new_tat - capacity * interval
if allow_at <= now then
  -- the key expires when the bucket is empty, which is what a missing key means
  redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil((new_tat - now) / 1000)))
  return {1, math.floor((now - allow_at) / interval), math.ceil(new_tat), 0, now}
end
return {0, math.floor((capacity * interval - (tat - now)) / interval), math.ceil(tat), math.max(1, math.ceil(allow_at - now)), now}
