-- Appends one write to the write-behind stream with the key's next version, atomically.
-- KEYS[1] the stream, KEYS[2] the hash of the last version assigned per key
-- ARGV[1] the key, ARGV[2] the encoded value, ARGV[3] the writing node's id
local version = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'v', ARGV[2], 'n', version, 'o', ARGV[3])
return version
