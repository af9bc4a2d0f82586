-- Writes a value and bumps its fence, so that a fill which read the source of truth before this
-- write can never overwrite it (see fill.lua).
-- KEYS[1] value, KEYS[2] fence; ARGV[1] envelope bytes, ARGV[2] value TTL ms, ARGV[3] fence TTL ms
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
