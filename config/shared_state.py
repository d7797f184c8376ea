"""Short-lived state every server process must agree on (one-time tickets, socket counts).

In Redis when REDIS_URL is set, under the cache's key prefix; without Redis (the embedded
default, one server process) in this process's memory, which is then the whole truth.
"""

from __future__ import annotations

import threading
import time
from functools import cache

import redis
from django.conf import settings

_lock = threading.Lock()
_memory: dict[str, tuple[float, str]] = {}  # key -> (expires at, value)
_memory_sets: dict[str, dict[str, float]] = {}  # key -> {member: expires at}


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _redis() -> redis.Redis | None:
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None


def _key(name: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "concord")
    return f"{prefix}:state:{name}"


def put(name: str, value: str, *, ttl: int) -> None:
    """Keep `value` under `name` for `ttl` seconds."""
    client = _redis()
    if client is not None:
        client.set(_key(name), value, ex=ttl)
        return
    with _lock:
        _memory[name] = (time.monotonic() + ttl, value)


def take(name: str) -> str | None:
    """The value under `name`, removed in the same step: of two callers racing, one gets it."""
    client = _redis()
    if client is not None:
        value = client.getdel(_key(name))
        return value.decode() if value is not None else None
    with _lock:
        expires, value = _memory.pop(name, (0.0, None))
    return value if expires > time.monotonic() else None


def lease(name: str, member: str, *, limit: int, ttl: int) -> bool:
    """Hold (or renew) `member`'s place among at most `limit` in the set `name` for `ttl`
    seconds; False, holding nothing, when the set is full. Places of holders that stopped
    renewing (a process that died) lapse after `ttl`."""
    now = time.time()
    client = _redis()
    if client is None:
        with _lock:
            held = {m: t for m, t in _memory_sets.get(name, {}).items() if t > now}
            if member not in held and len(held) >= limit:
                _memory_sets[name] = held
                return False
            held[member] = now + ttl
            _memory_sets[name] = held
        return True
    key = _key(name)
    # One script, so that two sockets opening at once cannot both take the last place.
    return bool(_LEASE(keys=[key], args=[member, now, now + ttl, limit, ttl * 2], client=client))


def release(name: str, member: str) -> None:
    client = _redis()
    if client is None:
        with _lock:
            _memory_sets.get(name, {}).pop(member, None)
        return
    client.zrem(_key(name), member)


_LEASE_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and
   redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class _Script:
    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, *, keys, args, client: redis.Redis):
        return client.register_script(self.text)(keys=keys, args=args)


_LEASE = _Script(_LEASE_SCRIPT)
