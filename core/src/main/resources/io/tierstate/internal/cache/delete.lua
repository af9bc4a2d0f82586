-- Deletes a value and bumps its fence, so that a fill already under way cannot bring it back.
-- KEYS[1] value, KEYS[2] fence; ARGV[1] fence TTL ms. Returns how many values were deleted.
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
