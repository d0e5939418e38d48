"""Cache backends shared by every process (rate-limit counters must be counted once for all
gunicorn workers and servers). See docs/adr/0008-shared-cache-and-rate-limits.md.

- ``AtomicDatabaseCache``: Django's database cache whose ``incr`` is one locked read-modify-
  write keeping the entry's expiry (Django's own ``incr`` is get + set, racy across processes,
  and resets the expiry to the default timeout).
- ``FallbackCache``: Redis when configured, the database cache while Redis cannot be reached
  (logged, retried after a pause) — a Redis outage never turns into an error page.
"""

import base64
import logging
import pickle
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone

logger = logging.getLogger("ptce.cache")


class AtomicDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        # SQLite: the project opens transactions with BEGIN IMMEDIATE (write lock at once).
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s{lock}",  # noqa: S608
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode()))  # noqa: S301 — our own data
            new_value = value + delta
            encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol)).decode(
                "latin1"
            )
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",  # noqa: S608
                [encoded, key],
            )
        return new_value


class FallbackCache(BaseCache):
    """Delegates to the ``PRIMARY`` cache alias; on a Redis error, to ``FALLBACK`` for
    ``RETRY_AFTER`` seconds (a warning is logged each time Redis is found down)."""

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self.primary = options.get("PRIMARY", "redis")
        self.fallback = options.get("FALLBACK", "database")
        self.retry_after = float(options.get("RETRY_AFTER", 30))
        self._down_until = 0.0

    @property
    def using_fallback(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, method: str, *args, **kwargs):
        if not self.using_fallback:
            from redis.exceptions import RedisError

            try:
                return getattr(caches[self.primary], method)(*args, **kwargs)
            except RedisError as error:
                self._down_until = time.monotonic() + self.retry_after
                logger.warning(
                    "Redis injoignable (%s) : cache de la base de données utilisé pendant %d s.",
                    error.__class__.__name__,
                    self.retry_after,
                )
        return getattr(caches[self.fallback], method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")

    def close(self, **kwargs):
        for alias in (self.primary, self.fallback):
            caches[alias].close(**kwargs)
