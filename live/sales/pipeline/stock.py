"""The flash-sale stock gate: one atomic Redis script checks the stock left, takes the order's
units and remembers the answer for that order, so a retried batch gets the same answer and an
order is counted once. Orders beyond the stock are oversold: kept, never counted as sold.

The DB stays authoritative: `reconcile` rebuilds the gate from the orders it holds.
"""

from __future__ import annotations

from typing import Any

KEY = "sieulive:flash:"

# KEYS[1] units left, KEYS[2] answers per order. ARGV: order key, units, the sale's quantity.
GATE = """
local previous = redis.call('HGET', KEYS[2], ARGV[1])
if previous then return tonumber(previous) end
local left = tonumber(redis.call('GET', KEYS[1]) or ARGV[3])
local units = tonumber(ARGV[2])
local granted = 0
if left >= units then
  left = left - units
  granted = 1
end
redis.call('SET', KEYS[1], left)
redis.call('HSET', KEYS[2], ARGV[1], granted)
return granted
"""


# The same keys. ARGV: order key, units. Gives back what that order was granted, if anything,
# and forgets its answer: the order no longer falls in this sale (its time or session moved).
GIVE_BACK = """
local previous = redis.call('HGET', KEYS[2], ARGV[1])
if previous == '1' then redis.call('INCRBY', KEYS[1], tonumber(ARGV[2])) end
redis.call('HDEL', KEYS[2], ARGV[1])
return previous == '1' and 1 or 0
"""


def keys(flash_sale_id: int) -> tuple[str, str]:
    return f"{KEY}{flash_sale_id}:left", f"{KEY}{flash_sale_id}:orders"


class StockGate:
    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._script = redis.register_script(GATE)
        self._give_back = redis.register_script(GIVE_BACK)

    def take(self, flash_sale_id: int, quantity: int, order_key: str, units: int) -> bool:
        """True when the units fit the stock left (or this order already got them)."""
        left, answers = keys(flash_sale_id)
        return bool(self._script(keys=[left, answers], args=[order_key, units, quantity]))

    def give_back(self, flash_sale_id: int, order_key: str, units: int) -> bool:
        """Return the units this order was granted (none if it wasn't); True if it had some.
        Safe to repeat: the answer is forgotten with the units."""
        left, answers = keys(flash_sale_id)
        return bool(self._give_back(keys=[left, answers], args=[order_key, units]))

    def left(self, flash_sale_id: int, quantity: int) -> int:
        value = self.redis.get(keys(flash_sale_id)[0])
        return quantity if value is None else int(value)

    def reset(self, flash_sale_id: int, left: int, answers: dict[str, int]) -> None:
        """Rewrite the gate from the DB's truth."""
        left_key, answers_key = keys(flash_sale_id)
        pipe = self.redis.pipeline()
        pipe.set(left_key, left)
        pipe.delete(answers_key)
        if answers:
            pipe.hset(answers_key, mapping=answers)
        pipe.execute()
