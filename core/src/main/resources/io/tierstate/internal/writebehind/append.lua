-- Appends one write to the write-behind stream, atomically, with a version taken from one sequence
-- for the whole stream: versions never repeat, even for a key whose settled record was trimmed.
-- KEYS[1] the stream, KEYS[2] the version sequence
-- ARGV[1] the key, ARGV[2] the encoded value, ARGV[3] the writing node's id
local version = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'v', ARGV[2], 'n', version, 'o', ARGV[3])
return version
