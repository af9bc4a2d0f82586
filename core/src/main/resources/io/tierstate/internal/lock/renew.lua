-- Extends the lease only if this owner still holds the lock.
-- KEYS[1] lock; ARGV[1] owner token, ARGV[2] lease ms. Returns 1 if renewed, 0 if the lock was not ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
