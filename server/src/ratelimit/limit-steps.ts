import type { LimitRule, LimitSubject } from "./rate-limits";

/**
 * One step of a multi-rule check, run in order until one refuses:
 * - `consume`: count a point; refuse when the rule's window is over its limit.
 * - `check`: refuse while a budget counted elsewhere (or a block) is spent; counts nothing.
 * - `due`: count a point without refusing; reports whether one was left (a gate for
 *   periodic work, such as judging a prefix's conversion at most every N seconds).
 */
export type LimitStep =
  | { op: "consume"; rule: LimitRule; subject: LimitSubject }
  | { op: "check"; rule: LimitRule; subject: LimitSubject }
  | { op: "due"; rule: LimitRule; key: string };

/**
 * The steps of one send in one Redis round trip. Each step is rate-limiter-flexible's own
 * fixed-window operation on its own key (`<prefix>rl:<rule>:<key>`, value = points consumed,
 * TTL = window; a block is points + 1), so the library's `get`, `penalty`, `block` and
 * `delete` keep working on the same keys; what the script adds is order and atomicity: a step
 * that refuses stops the later ones from counting, exactly as sequential calls did, but in one
 * EVALSHA instead of up to seven (under load each round trip cost more than the whole script).
 *
 * ARGV holds three values per key: op (c, k, d), limit and window in seconds. The reply is
 * { index of the refusing step or 0, its points consumed, its ms before reset, due flags... }.
 * All keys of one send live on one node (no Redis Cluster hash-slot split is attempted).
 */
export const ORDERED_LIMITS_LUA = `
local due = {}
for i = 1, #KEYS do
  local op = ARGV[i * 3 - 2]
  local limit = tonumber(ARGV[i * 3 - 1])
  local window = tonumber(ARGV[i * 3])
  if op == 'k' then
    local v = redis.call('get', KEYS[i])
    if v then
      local consumed = tonumber(v)
      local ttl = redis.call('pttl', KEYS[i])
      if consumed >= limit and ttl > 0 then return {i, consumed, ttl} end
    end
  else
    redis.call('set', KEYS[i], 0, 'EX', window, 'NX')
    local consumed = redis.call('incrby', KEYS[i], 1)
    local ttl = redis.call('pttl', KEYS[i])
    if ttl == -1 then
      redis.call('expire', KEYS[i], window)
      ttl = 1000 * window
    end
    if op == 'd' then
      due[#due + 1] = consumed <= limit and 1 or 0
    elseif consumed > limit then
      return {i, consumed, ttl}
    end
  end
end
local reply = {0, 0, 0}
for _, d in ipairs(due) do reply[#reply + 1] = d end
return reply
`;

export const OP_CODES: Record<LimitStep["op"], string> = { consume: "c", check: "k", due: "d" };
