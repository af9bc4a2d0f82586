-- Deletes one session and its index entry. KEYS[1] session hash, KEYS[2] the user's index;
-- ARGV[1] id hash. Returns the session's tenant id, or false if it did not exist.
redis.call('ZREM', KEYS[2], ARGV[1])
local tenant = redis.call('HGET', KEYS[1], 't')
redis.call('DEL', KEYS[1])
return tenant
