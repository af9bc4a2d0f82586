-- Releases the lock only if this owner still holds it: a holder whose lease expired must not
-- delete the lock of the one that took it next.
-- KEYS[1] lock; ARGV[1] owner token. Returns 1 if released, 0 if the lock was not ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
