import { PUMP_LUA_COMMIT, PUMP_LUA_FUNCTIONS, PUMP_LUA_OP } from "./pump-lua";
import type { PumpStep } from "./pump-step";

/** A named budget: `points` per `durationSeconds`. */
export interface LimitRule { name: string; points: number; durationSeconds: number }
/** What a budget counts under, and how a block record names it without revealing it. */
export interface LimitSubject { appId: string | null; key: string; keyMasked: string }

/**
 * One step of a multi-rule check, run in order until one refuses:
 * - `consume`: count a point; refuse when the rule's window is over its limit.
 * - `check`: refuse while a budget counted elsewhere (or a block) is spent; counts nothing.
 * - `due`: count a point without refusing; reports whether one was left (a gate for
 *   periodic work).
 * - `pump`: the pumping guard's unverified-send budgets (pump-lua.ts); its counts are applied
 *   only when every step has let the send through.
 */
export type LimitStep =
  | { op: "consume"; rule: LimitRule; subject: LimitSubject }
  | { op: "check"; rule: LimitRule; subject: LimitSubject }
  | { op: "due"; rule: LimitRule; key: string }
  | { op: "pump"; pump: PumpStep };

/**
 * The steps of one send in one Redis round trip. Each limit step is rate-limiter-flexible's own
 * fixed-window operation on its own key (`<prefix>rl:<rule>:<key>`, value = points consumed,
 * TTL = window; a block is points + 1), so the library's `get`, `penalty`, `block` and
 * `delete` keep working on the same keys; what the script adds is order and atomicity: a step
 * that refuses stops the later ones from counting, exactly as sequential calls did, but in one
 * EVALSHA instead of up to seven (under load each round trip cost more than the whole script).
 *
 * A limit step takes one key and three ARGV values (op c|k|d, limit, window in seconds); a pump
 * step 17 keys and 15 values (see PUMP_LUA_OP). The reply is { index of the refusing step or
 * 0, its points consumed (-1: the pump step, its figures follow), its ms before reset, then on
 * success the pump's scope and shadow figures (14 values), then the due flags }.
 * All keys of one send live on one node (no Redis Cluster hash-slot split is attempted).
 */
export const ORDERED_LIMITS_LUA = `
${PUMP_LUA_FUNCTIONS}
local due = {}
local ki, ai, step = 1, 1, 0
while ki <= #KEYS do
  step = step + 1
  local op = ARGV[ai]
  if op == 'p' then
${PUMP_LUA_OP}
    ki = ki + 17
    ai = ai + 15
  else
    local key = KEYS[ki]
    local limit = tonumber(ARGV[ai + 1])
    local window = tonumber(ARGV[ai + 2])
    if op == 'k' then
      local v = redis.call('get', key)
      if v then
        local consumed = tonumber(v)
        local ttl = redis.call('pttl', key)
        if consumed >= limit and ttl > 0 then return {step, consumed, ttl} end
      end
    else
      redis.call('set', key, 0, 'EX', window, 'NX')
      local consumed = redis.call('incrby', key, 1)
      local ttl = redis.call('pttl', key)
      if ttl == -1 then
        redis.call('expire', key, window)
        ttl = 1000 * window
      end
      if op == 'd' then
        due[#due + 1] = consumed <= limit and 1 or 0
      elseif consumed > limit then
        return {step, consumed, ttl}
      end
    end
    ki = ki + 1
    ai = ai + 3
  end
end
${PUMP_LUA_COMMIT}
local reply = {0, 0, 0}
for _, p in ipairs(pump) do reply[#reply + 1] = p end
for _, d in ipairs(due) do reply[#reply + 1] = d end
return reply
`;

export const OP_CODES: Record<Exclude<LimitStep["op"], "pump">, string> = { consume: "c", check: "k", due: "d" };
