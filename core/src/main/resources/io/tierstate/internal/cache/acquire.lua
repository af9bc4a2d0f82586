-- On a miss (or a stale hit when ARGV[3] == '1'): reads the value and its fence, and tries to take
-- the load lease, all at once, so that exactly one caller in the cluster loads the key.
-- KEYS[1] value, KEYS[2] fence, KEYS[3] lease; ARGV[1] lease token, ARGV[2] lease TTL ms, ARGV[3] force
-- Returns {value or '', fence or '', 1 if the lease was granted else 0, lease PTTL when not granted}
local v = redis.call('GET', KEYS[1]) or ''
local f = redis.call('GET', KEYS[2]) or ''
if v ~= '' and ARGV[3] ~= '1' then
  return {v, f, 0, 0}
end
if redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
  -- the fence must outlive the lease, or an expired fence could read as "unchanged"
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl >= 0 and ttl < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
  end
  return {v, f, 1, 0}
end
return {v, f, 0, redis.call('PTTL', KEYS[3])}
