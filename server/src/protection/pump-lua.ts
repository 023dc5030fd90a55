/**
 * The Redis side of the pumping guard's unverified-send budgets (protection/pumping-guard.ts has the
 * policy; pump-memory.ts is the same algorithm for a single process without Redis).
 *
 * Per level (an app's number prefix, or an app's country) one hash holds minute and hour buckets:
 * `u:<minute>` sends not (yet) verified, `s:<minute>` all sends, `v:<hour>` verified sends. The
 * last 60 minute buckets are "the last hour", the last 24 hour buckets "the last day"; older
 * fields are dropped as they are read. Beside it, a block key (TTL = the block) and an escalation
 * key (blocks in the last day), with separate keys for shadow (record_only) blocks so that
 * watching a setting never blocks anything once it is enforced.
 *
 * A send is judged against the prefix: unverified(last hour) < max(floor, share × verified(last
 * day)). Then against its country: a prefix with no verified send in the last day is "fresh", and
 * its sends are judged on the country's budget for fresh prefixes (a rotation through a country's
 * prefixes shows up there), counted over fresh sends only; a prefix with a history on the
 * country's budget for known prefixes (an attack aimed at prefixes real users come from). Real
 * users on known prefixes never compete with a rotation through fresh ones. The send's own
 * counts are applied only once every later step of the ordered script has let it through.
 */

/** Helpers and the pump op's body, spliced into the ordered-limits script (limit-steps.ts). */
export const PUMP_LUA_FUNCTIONS = `
local clock = redis.call('time')
local minute = math.floor(tonumber(clock[1]) / 60)
local hour = math.floor(minute / 60)
local pending = {}
local pump = {0, 0, 0, 0, 0, 0, 0, 0, 0}

local function pump_counts(key)
  local f = redis.call('hgetall', key)
  local u, s, v, stale = 0, 0, 0, {}
  for i = 1, #f, 2 do
    local kind = string.sub(f[i], 1, 1)
    local b = tonumber(string.sub(f[i], 3))
    local n = tonumber(f[i + 1])
    if kind == 'v' then
      if b > hour - 24 then v = v + n else stale[#stale + 1] = f[i] end
    elseif b > minute - 60 then
      if kind == 'u' then u = u + n else s = s + n end
    else
      stale[#stale + 1] = f[i]
    end
  end
  if #stale > 0 then redis.call('hdel', key, unpack(stale)) end
  return u, s, v
end

-- One level's verdict: nil (within budget), or its figures with state 1 (just blocked) or 2 (already blocked).
-- Figures: {level, state, ttl ms, unverified, sends, verified, budget, escalation step}.
local function pump_level(code, kb, ke, kc, floor, share, ladder)
  local u, s, v = pump_counts(kc)
  local budget = math.max(floor, math.floor(share * v))
  local ttl = redis.call('pttl', kb)
  if ttl > 0 then return {code, 2, ttl, u, s, v, budget, tonumber(redis.call('get', kb)) or 0}, v end
  if u >= budget then
    local step = redis.call('incr', ke)
    redis.call('expire', ke, 86400)
    local dur = ladder[math.min(step, #ladder)]
    redis.call('set', kb, step, 'PX', dur * 1000)
    return {code, 1, dur * 1000, u, s, v, budget, step}, v
  end
  return nil, v
end
`;

/**
 * The pump op (KEYS: prefix block, escalation, counts, then the same for the country's fresh
 * prefixes and for its known ones; ARGV after
 * 'p': enforce 1|0, prefix floor, share, country floor, share (floor -1: level off), ladder "s,s,s").
 * Refuses (returns) when enforcing; in shadow, remembers the first new block in \`pump\` and goes on.
 */
export const PUMP_LUA_OP = `
    local enforce = ARGV[ai + 1] == '1'
    local pFloor, pShare = tonumber(ARGV[ai + 2]), tonumber(ARGV[ai + 3])
    local cFloor, cShare = tonumber(ARGV[ai + 4]), tonumber(ARGV[ai + 5])
    local ladder = {}
    for d in string.gmatch(ARGV[ai + 6], '%d+') do ladder[#ladder + 1] = tonumber(d) end
    local verified = 0
    local fig = nil
    if pFloor >= 0 then
      fig, verified = pump_level(1, KEYS[ki], KEYS[ki + 1], KEYS[ki + 2], pFloor, pShare, ladder)
      if fig and enforce then return {step, -1, fig[3], unpack(fig)} end
      pending[#pending + 1] = KEYS[ki + 2]
      pump[1] = 1
      if fig and fig[2] == 1 then for j = 1, 8 do pump[j + 1] = fig[j] end end
    end
    if cFloor >= 0 then
      -- A prefix without a history is judged on the country's budget for fresh prefixes, one with a history on its known one.
      local code, kc = 2, ki + 3
      if verified > 0 then code, kc = 3, ki + 6 end
      fig = pump_level(code, KEYS[kc], KEYS[kc + 1], KEYS[kc + 2], cFloor, cShare, ladder)
      if fig and enforce then return {step, -1, fig[3], unpack(fig)} end
      pending[#pending + 1] = KEYS[kc + 2]
      pump[1] = code
      if fig and fig[2] == 1 and pump[2] == 0 then for j = 1, 8 do pump[j + 1] = fig[j] end end
    end
`;

/** After every step passed: the send counts as sent and unverified on each level it was judged on. */
export const PUMP_LUA_COMMIT = `
for _, k in ipairs(pending) do
  redis.call('hincrby', k, 'u:' .. minute, 1)
  redis.call('hincrby', k, 's:' .. minute, 1)
  redis.call('expire', k, 90000)
end
`;

/**
 * An approval moves its verification's sends from unverified to verified on the levels they were
 * counted on. KEYS: the counts hashes; ARGV: minute of the first send, sends to move. Walks the
 * minute buckets from the first send on (resends land later), and adds one verified send.
 */
export const PUMP_APPROVE_LUA = `
local clock = redis.call('time')
local minute = math.floor(tonumber(clock[1]) / 60)
local hour = math.floor(minute / 60)
for i = 1, #KEYS do
  local left = tonumber(ARGV[2])
  local b = math.max(tonumber(ARGV[1]) - 2, minute - 60)
  while left > 0 and b <= minute do
    local f = 'u:' .. b
    local n = tonumber(redis.call('hget', KEYS[i], f) or '0')
    if n > 0 then
      local take = math.min(n, left)
      if take == n then redis.call('hdel', KEYS[i], f) else redis.call('hincrby', KEYS[i], f, -take) end
      left = left - take
    end
    b = b + 1
  end
  redis.call('hincrby', KEYS[i], 'v:' .. hour, 1)
  redis.call('expire', KEYS[i], 90000)
end
return 1
`;

/**
 * A lift: the block and its escalation are gone, and the unverified sends that led to it are
 * forgiven (or the next send would block again at once); the verified history stays.
 * KEYS: block, escalation, counts.
 */
export const PUMP_LIFT_LUA = `
redis.call('del', KEYS[1], KEYS[2])
local f = redis.call('hkeys', KEYS[3])
local drop = {}
for _, name in ipairs(f) do
  if string.sub(name, 1, 1) ~= 'v' then drop[#drop + 1] = name end
end
if #drop > 0 then redis.call('hdel', KEYS[3], unpack(drop)) end
return #drop
`;
