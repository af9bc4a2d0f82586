-- Token bucket: ARGV[1] tokens at most, refilled continuously by ARGV[2] tokens per ARGV[3] µs;
-- a request takes ARGV[4] tokens or is denied and takes none. A missing key is a full bucket, so
-- the key expires when the bucket would be full again.
-- KEYS[1] hash {t = tokens, ts = time of t in µs}; ARGV[1] capacity, ARGV[2] refill amount,
-- ARGV[3] refill period µs, ARGV[4] cost
-- Returns {1 allowed | 0 denied, remaining, reset at µs, retry after µs, now µs}
redis.replicate_commands() -- needed on Redis < 5 only, where TIME is non-deterministic
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = capacity
local last = tonumber(state[2])
if last ~= nil then
  tokens = tonumber(state[1])
  if now > last then
    tokens = math.min(capacity, tokens + (now - last) * rate)
  end
else
  last = now
end
if tokens >= cost then
  tokens = tokens - cost
  local full_in = math.ceil((capacity - tokens) / rate)
  -- a clock that stepped back must not refill the same interval twice
  redis.call('HSET', KEYS[1], 't', tokens, 'ts', string.format('%d', math.max(now, last)))
  redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil(full_in / 1000)))
  return {1, math.floor(tokens), now + full_in, 0, now}
end
local full_in = math.ceil((capacity - tokens) / rate)
return {0, math.floor(tokens), now + full_in, math.max(1, math.ceil((cost - tokens) / rate)), now}
