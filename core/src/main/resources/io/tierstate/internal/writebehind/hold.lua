-- Keeps the entries of a batch this node is still retrying from being claimed by another node: resets
-- the idle time of those still pending for this node (XCLAIM ... JUSTID to itself, which leaves the
-- delivery count alone), and leaves alone any that another node claimed meanwhile or that were
-- settled. Also reports the stream's length and oldest entry, which the retrying thread cannot
-- refresh otherwise.
-- KEYS[1] the stream
-- ARGV[1] the group, ARGV[2] this node's id, then the entry ids
-- Returns {entries kept, entries pending for another node, XLEN, id of the oldest entry or ''}
local kept, taken = 0, 0
local claim = {}
local function flush()
  if #claim > 0 then
    local command = {'XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0}
    for _, id in ipairs(claim) do
      command[#command + 1] = id
    end
    command[#command + 1] = 'JUSTID'
    redis.call(unpack(command))
    kept = kept + #claim
    claim = {}
  end
end
for i = 3, #ARGV do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #pending == 1 then
    if pending[1][2] == ARGV[2] then
      claim[#claim + 1] = ARGV[i]
      if #claim >= 500 then
        flush()
      end
    else
      taken = taken + 1
    end
  end
end
flush()
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
return {kept, taken, redis.call('XLEN', KEYS[1]), #oldest > 0 and oldest[1][1] or ''}
