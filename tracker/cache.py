"""A Redis cache that degrades to "no cache" instead of failing the request when Redis is down."""

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class TolerantRedisCache(RedisCache):
    """Reads miss and writes are skipped while Redis is unreachable; pages keep serving."""

    def _tolerate(self, default: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(super(), method)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            logger.warning("cache unavailable, %s skipped: %s", method, exc)
            return default

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._tolerate(default, "get", key, default, version)

    def get_many(self, keys: Any, version: Any = None) -> dict:
        return self._tolerate({}, "get_many", keys, version)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._tolerate(None, "set", *args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate(False, "add", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list:
        return self._tolerate([], "set_many", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate(False, "delete", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int | None:
        """The new value, or None while Redis is unreachable (a missing key still raises ValueError)."""
        return self._tolerate(None, "incr", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate(False, "touch", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._tolerate(False, "has_key", *args, **kwargs)
