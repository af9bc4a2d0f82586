-- Appends one write to the write-behind stream, atomically, and gives it a version: microseconds
-- of this server's clock, raised when needed above the last version given (one sequence for the
-- whole stream) and above the highest version the writing node has seen. Versions therefore never
-- repeat and keep increasing across a failover to a replica that had not received the last ones
-- (its clock is past them), which a plain counter would not: it would go back and hand out the
-- same numbers again.
-- An append that runs after its deadline (Redis paused, or the command held in a network buffer)
-- is refused: the node gave up on it and may have written the value through meanwhile, so running
-- it now would deliver an older value after a newer one.
-- KEYS[1] the stream, KEYS[2] the version sequence
-- ARGV[1] the key, ARGV[2] the encoded value, ARGV[3] the writing node's id, ARGV[4] the deadline
-- (milliseconds, this server's clock), ARGV[5] the highest version the node has seen
-- Returns {version, last version before it}, or {-1, last version} when past the deadline.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if now > tonumber(ARGV[4]) * 1000 then
  return {-1, last}
end
local version = math.max(last + 1, now, tonumber(ARGV[5]) + 1)
local text = string.format('%.0f', version)
redis.call('SET', KEYS[2], text)
redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'v', ARGV[2], 'n', text, 'o', ARGV[3])
return {version, last}
