/**
 * The Redis side of the pumping guard's conversion budgets (pump-step.ts states the model,
 * pumping-guard.ts the policy; pump-memory.ts is the same algorithm for a single process without
 * Redis, line for line).
 *
 * Per level one hash holds minute and hour buckets: `u:<minute>` sends not (yet) verified,
 * `s:<minute>` all sends, `v:<hour>` verified sends, `p:<minute>` proofs (approvals) of the last
 * minutes; and two counters: `N` every send ever counted there, `A` what `N` was at the latest
 * proof (so N − A sends came after it: never vouched for). `u` buckets younger than the app's code
 * window are in flight, older ones (within the hour) unconverted. Beside it a block key and an
 * escalation key (hard levels), with separate keys for shadow (record_only) blocks, each holding
 * its own expiry on the caller's clock. The app's
 * record (`S:<hour>` sends, `v:<hour>` verified sends, over a day) gives the ratio once it holds
 * enough proof; a proof key per country says the country has a verified send in the last day.
 *
 * The clock is the caller's (ARGV), not Redis's, so that the simulator can run a week in minutes
 * and the replay can judge recorded traffic; processes of one install share NTP time.
 */
import { NOISE_SIGMAS, RECENT_PROOF_MINUTES, RECORD_MIN_PROVEN, SOFT_RETRY_SECONDS, VOUCH_APP_PROOF_PERCENT, VOUCH_FLOORS, VOUCH_MIN_PROOF_PERCENT, VOUCH_PER_PROOF, YOUNG_MINUTES } from "./pump-step";

/** Helpers and state of the pump op, spliced into the ordered-limits script (limit-steps.ts). */
export const PUMP_LUA_FUNCTIONS = `
local minute, hour, ttlm, nowms = 0, 0, 1, 0
local pending = {}
local pump_stats = nil
local pump = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
local vouch_app = false
-- Each hash's counts, read once per script: the app's fresh-traffic hash is read for the vouching
-- gate and again as a level (the memory twin recounts its map; a few hundred fields at most).
local counted = {}

local function pump_counts(key)
  if counted[key] then return unpack(counted[key]) end
  local f = redis.call('hgetall', key)
  local young, inflight, unconv, s, vday, vrecent, stale = 0, 0, 0, 0, 0, 0, {}
  local proofs, sent, atproof, srecent = 0, 0, 0, 0
  for i = 1, #f, 2 do
    local kind = string.sub(f[i], 1, 1)
    local b = tonumber(string.sub(f[i], 3))
    local n = tonumber(f[i + 1])
    if kind == 'N' then sent = n
    elseif kind == 'A' then atproof = n
    elseif kind == 'p' then
      if b > minute - ${RECENT_PROOF_MINUTES} then proofs = proofs + n else stale[#stale + 1] = f[i] end
    elseif kind == 'v' then
      if b > hour - 24 then
        vday = vday + n
        if b >= hour - 1 then vrecent = vrecent + n end
      else stale[#stale + 1] = f[i] end
    elseif b > minute - 60 then
      if kind == 's' then
        s = s + n
        if b > minute - ${RECENT_PROOF_MINUTES} then srecent = srecent + n end
      elseif b > minute - ttlm then
        inflight = inflight + n
        if b > minute - ${YOUNG_MINUTES} then young = young + n end
      else unconv = unconv + n end
    else
      stale[#stale + 1] = f[i]
    end
  end
  if #stale > 0 then redis.call('hdel', key, unpack(stale)) end
  counted[key] = {inflight, unconv, s, vday, vrecent, young, proofs, sent - atproof, srecent}
  return unpack(counted[key])
end

-- How much an open code counts (percent): what the scope's recent traffic failed to convert,
-- judged on sends old enough to have been verified; half while there is no such evidence (a new
-- scope's first minutes), never below half.
local function pump_weight(inflight, unconv, vrecent, young)
  local aged = inflight - young + unconv
  if vrecent + aged == 0 then return 50 end
  return 100 - math.min(50, math.floor(100 * vrecent / (vrecent + aged)))
end

-- The app's abandonment record as unconverted sends per verified one (percent, with headroom,
-- 50 to 300), from the last day's closed hours; nil while it holds fewer than 50 verified sends.
local function pump_ratio(key)
  local f = redis.call('hgetall', key)
  local sends, proven, stale = 0, 0, {}
  for i = 1, #f, 2 do
    local b = tonumber(string.sub(f[i], 3))
    if b <= hour - 24 then stale[#stale + 1] = f[i]
    elseif b < hour then
      if string.sub(f[i], 1, 1) == 'S' then sends = sends + tonumber(f[i + 1]) else proven = proven + tonumber(f[i + 1]) end
    end
  end
  if #stale > 0 then redis.call('hdel', key, unpack(stale)) end
  if proven < ${RECORD_MIN_PROVEN} then return nil end
  local r = math.floor(125 * math.max(0, sends - proven) / proven) + 5
  return math.max(50, math.min(300, r))
end

-- Blocks, escalations and marks keep their own expiry on the caller's clock ("n:until ms"); the
-- key's Redis TTL only collects them.
local function clocked(key)
  local v = redis.call('get', key)
  if not v then return nil end
  local sep = string.find(v, ':', 1, true)
  if not sep then return nil end
  local untilms = tonumber(string.sub(v, sep + 1))
  if untilms <= nowms then return nil end
  return tonumber(string.sub(v, 1, sep - 1)), untilms
end

local function clock_set(key, n, ms)
  redis.call('set', key, n .. ':' .. (nowms + ms), 'PX', math.max(1000, ms))
end

-- Codes in flight that count nothing: those sent before the scope's latest proof (in flight minus
-- the sends since), ${VOUCH_PER_PROOF} per proof of the last minutes, ${VOUCH_FLOORS} floors at most; none
-- while those proofs are fewer than ${VOUCH_MIN_PROOF_PERCENT} % of the scope's sends of the same minutes,
-- unless the app's fresh traffic is proving itself (vouch_app: ${VOUCH_APP_PROOF_PERCENT} % of its recent sends).
local function pump_vouched(inflight, proofs, since, floor, srecent)
  if 100 * proofs < ${VOUCH_MIN_PROOF_PERCENT} * srecent and not vouch_app then return 0 end
  return math.max(0, math.min(${VOUCH_PER_PROOF} * proofs, ${VOUCH_FLOORS} * floor, inflight - since))
end

-- One level's verdict: nil (within budget), or its figures with state 1 (new) or 2 (standing).
-- Figures: {level, state, ttl ms, unverified, sends, verified, budget, step, in flight, unconverted, weight %, ratio %, vouched}.
local function pump_level(code, kb, ke, kc, floor, ratio, ladder, soft, chance)
  local inflight, unconv, s, vday, vrecent, young, proofs, since, srecent = pump_counts(kc)
  -- The record's room, plus (on levels of traffic with a history) the chance a sample of real users carries.
  local base = math.floor(ratio * vday / 100)
  if chance then base = base + math.floor(${NOISE_SIGMAS} * math.sqrt(base)) end
  local budget = math.max(floor, base)
  local open = inflight + unconv
  local w = pump_weight(inflight, unconv, vrecent, young)
  local vouched = pump_vouched(inflight, proofs, since, floor, srecent)
  local fig = {code, 0, 0, open, s, vday, budget, 0, inflight, unconv, w, ratio, vouched}
  if not soft then
    local n, untilms = clocked(kb)
    if n then
      fig[2], fig[3], fig[8] = 2, untilms - nowms, n
      return fig, vday
    end
  end
  if 100 * unconv + w * math.max(0, inflight + 1 - vouched) <= 100 * budget then return nil, vday end
  if soft or vrecent > 0 then
    -- No standing block where real users are proving themselves (a launch, a spike) or for the
    -- app-wide levels: refused while over, back as soon as conversions make room; one record an hour.
    local km = kb .. ':m'
    local new = not clocked(km)
    if new then clock_set(km, 1, 3600000) end
    -- Escalation step 0 marks the refusal soft (a standing block's step is 1 or more).
    fig[2], fig[3], fig[8] = new and 1 or 2, ${SOFT_RETRY_SECONDS * 1000}, 0
    return fig, vday
  end
  local step = (clocked(ke) or 0) + 1
  clock_set(ke, step, 86400000)
  local dur = ladder[math.min(step, #ladder)]
  clock_set(kb, step, dur * 1000)
  fig[2], fig[3], fig[8] = 1, dur * 1000, step
  return fig, vday
end

local function pump_keep(fig)
  if fig and fig[2] == 1 and pump[2] == 0 then for j = 1, 13 do pump[j + 1] = fig[j] end end
end
`;

/**
 * The pump op. KEYS (17): block, escalation, counts for each level (prefix, country, country_known,
 * unproven, app), then the app's record and the country's proof key. ARGV after 'p' (14): enforce
 * 1|0, floor and share % per level (floor -1: level off), ladder "s,s,s", window minutes, now ms.
 * Refuses (returns) when enforcing; in shadow, remembers the first new block in \`pump\` and goes on.
 */
export const PUMP_LUA_OP = `
    local enforce = ARGV[ai + 1] == '1'
    local fl, sh = {}, {}
    for j = 1, 5 do
      fl[j] = tonumber(ARGV[ai + 2 * j])
      sh[j] = tonumber(ARGV[ai + 2 * j + 1])
    end
    local ladder = {}
    for d in string.gmatch(ARGV[ai + 12], '%d+') do ladder[#ladder + 1] = tonumber(d) end
    ttlm = tonumber(ARGV[ai + 13])
    nowms = tonumber(ARGV[ai + 14])
    minute = math.floor(nowms / 60000)
    hour = math.floor(minute / 60)
    local learned = pump_ratio(KEYS[ki + 15])
    if learned then for j = 1, 5 do sh[j] = learned end end
    vouch_app = false
    if fl[5] >= 0 then
      local _, _, _, _, _, _, ap, _, as = pump_counts(KEYS[ki + 14])
      vouch_app = 100 * ap >= ${VOUCH_APP_PROOF_PERCENT} * as
    end
    local scope, vprefix = 0, 0
    if fl[1] >= 0 then
      local fig, v = pump_level(1, KEYS[ki], KEYS[ki + 1], KEYS[ki + 2], fl[1], sh[1], ladder, false, true)
      vprefix = v
      if fig and enforce then return {step, -1, fig[3], unpack(fig)} end
      pending[#pending + 1] = KEYS[ki + 2]
      pump_keep(fig)
      scope = 1
    end
    -- Its territory: a prefix with a history is judged with its country's known prefixes; a fresh
    -- prefix with its country's fresh ones when the country has a history, else in the app's
    -- unproven territory; and every fresh send with all the app's fresh traffic.
    local territory = 3
    if vprefix == 0 then
      if redis.call('exists', KEYS[ki + 16]) == 1 then territory = 2 else territory = 4 end
    end
    local judged = {territory}
    if territory ~= 3 then judged[2] = 5 end
    for _, j in ipairs(judged) do
      if fl[j] >= 0 then
        local kb = ki + 3 * (j - 1)
        local fig = pump_level(j, KEYS[kb], KEYS[kb + 1], KEYS[kb + 2], fl[j], sh[j], ladder, j >= 4, j == 3)
        if fig and enforce then return {step, -1, fig[3], unpack(fig)} end
        pending[#pending + 1] = KEYS[kb + 2]
        pump_keep(fig)
        if j ~= 5 then scope = ({0, 2, 3, 4})[j] end
      end
    end
    if (scope == 0 or scope == 1) and territory ~= 3 and fl[5] >= 0 and fl[territory] < 0 then scope = 4 end
    pump[1] = scope
    pump_stats = KEYS[ki + 15]
`;

/** After every step passed: the send counts as sent and unverified on each level it was judged on, and in the app's record. */
export const PUMP_LUA_COMMIT = `
for _, k in ipairs(pending) do
  redis.call('hincrby', k, 'u:' .. minute, 1)
  redis.call('hincrby', k, 's:' .. minute, 1)
  redis.call('hincrby', k, 'N', 1)
  redis.call('expire', k, 90000)
end
if pump_stats then
  redis.call('hincrby', pump_stats, 'S:' .. hour, 1)
  redis.call('expire', pump_stats, 90000)
end
`;

/**
 * An approval moves its verification's sends from unverified to verified on the levels they were
 * counted on, adds them to the app's record, and gives the country a history; on each level it is
 * a proof of this minute, and the sends counted there so far become those it can vouch for (A = N).
 * KEYS: the counts hashes (ARGV[4] of them), the app's record, then the country's proof key (optional);
 * ARGV: minute of the first send, sends to move, now ms, number of counts hashes.
 * Walks the minute buckets from the first send on (resends land later), and adds one verified send.
 */
export const PUMP_APPROVE_LUA = `
local minute = math.floor(tonumber(ARGV[3]) / 60000)
local hour = math.floor(minute / 60)
local n = tonumber(ARGV[4])
local sends = tonumber(ARGV[2])
for i = 1, n do
  local left = sends
  local b = math.max(tonumber(ARGV[1]) - 2, minute - 60)
  while left > 0 and b <= minute do
    local f = 'u:' .. b
    local c = tonumber(redis.call('hget', KEYS[i], f) or '0')
    if c > 0 then
      local take = math.min(c, left)
      if take == c then redis.call('hdel', KEYS[i], f) else redis.call('hincrby', KEYS[i], f, -take) end
      left = left - take
    end
    b = b + 1
  end
  redis.call('hincrby', KEYS[i], 'v:' .. hour, 1)
  redis.call('hincrby', KEYS[i], 'p:' .. minute, 1)
  redis.call('hset', KEYS[i], 'A', redis.call('hget', KEYS[i], 'N') or '0')
  redis.call('expire', KEYS[i], 90000)
end
redis.call('hincrby', KEYS[n + 1], 'v:' .. hour, sends)
redis.call('expire', KEYS[n + 1], 90000)
if #KEYS > n + 1 then redis.call('set', KEYS[n + 2], 1, 'EX', 86400) end
return 1
`;

/**
 * A lift: the block and its escalation are gone, and the unverified sends that led to it are
 * forgiven (or the next send would block again at once); the verified history, the proofs and
 * the send counters stay.
 * KEYS: block, escalation, counts.
 */
export const PUMP_LIFT_LUA = `
redis.call('del', KEYS[1], KEYS[2])
local f = redis.call('hkeys', KEYS[3])
local drop = {}
for _, name in ipairs(f) do
  local kind = string.sub(name, 1, 1)
  if kind == 'u' or kind == 's' then drop[#drop + 1] = name end
end
if #drop > 0 then redis.call('hdel', KEYS[3], unpack(drop)) end
return #drop
`;
