-- Takes the lock if it is free, and draws the next fencing token for it.
-- KEYS[1] lock, KEYS[2] fencing counter (same hash slot); ARGV[1] owner token, ARGV[2] lease ms.
-- Returns {1, fencing token} if taken, else {0, remaining lease of the holder in ms}.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('INCR', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
