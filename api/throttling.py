"""Anonymous rate limits counted per fixed window: one small counter per client, whatever the rate."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Anonymous requests per IP at `API_ANON_RATE` (settings are read per request, not at import).

    DRF's own throttle keeps the time of every request in the window as one cached list, read and
    written whole on each request: at the default 10,000/hour a busy client's list holds 10,000
    floats, unpickled and pickled (and sent to Redis and back) on every request. Here each client
    has one counter per window of the rate's period, incremented in the cache: the same cost at any
    rate. As with any fixed window, a client may spend up to twice the rate across a window's edge.
    If the cache is unavailable, requests are let through.
    """

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        client = self.get_cache_key(request, view)
        if client is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        count = self._count(f"{client}:{window}")
        if count is None or count <= self.num_requests:
            return True
        return self.throttle_failure()

    def _count(self, key: str) -> int | None:
        """The window's counter after this request (None while the cache is unavailable)."""
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request, unless another one just made the counter
            if self.cache.add(key, 1, self.duration):
                return 1
            try:
                return self.cache.incr(key)
            except ValueError:
                return None

    def wait(self) -> float:
        """Seconds until the window ends and the client's counter starts again."""
        return max(self.window_ends - self.now, 1.0)
