"""Prometheus metrics (``GET /sante/metriques/``, bearer token ``PTCE_METRICS_TOKEN``).

Requests by view, method and status and latency histograms come from django-prometheus's
middlewares (``django_http_*`` series). The platform's own gauges are computed at scrape time
from the readiness checks (core/health.py), so that they are right whichever process answers:
outbox backlog, task queue depth, failed tasks, worker heartbeat age, each check's state.

Several gunicorn workers: when ``PROMETHEUS_MULTIPROC_DIR`` is set (``gunicorn.conf.py`` sets it
when a metrics token is configured), every worker writes its counters there and the scrape adds
them up (prometheus-client's multi-process mode); see docs/deploy.md.
"""

import hmac
import os

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

# readiness figure → (metric name, help text)
FIGURES = {
    ("outbox", "pending"): ("ptce_outbox_pending_emails", "Courriels en attente d'envoi."),
    ("outbox", "oldest_pending_age_seconds"): (
        "ptce_outbox_oldest_pending_age_seconds",
        "Âge du plus ancien courriel en attente (secondes).",
    ),
    ("tasks", "queued"): ("ptce_tasks_queued", "Tâches en file, prêtes à être exécutées."),
    ("tasks", "failed"): ("ptce_tasks_failed", "Tâches en échec (total conservé)."),
    ("tasks", "failed_last_24h"): (
        "ptce_tasks_failed_last_24h",
        "Tâches en échec terminées dans les dernières 24 heures.",
    ),
    ("worker", "heartbeat_age_seconds"): (
        "ptce_worker_heartbeat_age_seconds",
        "Âge du dernier signe de vie d'un travailleur (secondes).",
    ),
    ("migrations", "unapplied"): ("ptce_migrations_unapplied", "Migrations non appliquées."),
}


class PlatformCollector:
    """Gauges computed when Prometheus scrapes, from one run of the readiness checks."""

    def collect(self):
        from core.health import readiness

        result = readiness()
        yield GaugeMetricFamily(
            "ptce_ready",
            "1 si la plateforme est prête (/sante/pret/), 0 sinon.",
            int(result["ready"]),
        )
        checks = GaugeMetricFamily(
            "ptce_readiness_check_ok", "1 si la vérification passe, 0 sinon.", labels=["check"]
        )
        for name, check in result["checks"].items():
            checks.add_metric([name], int(bool(check["ok"])))
        yield checks
        for (check, key), (metric, text) in FIGURES.items():
            value = result["checks"].get(check, {}).get(key)
            if value is not None:
                yield GaugeMetricFamily(metric, text, value)


def render() -> bytes:
    """The exposition text: request metrics (every worker's, in multi-process mode) followed
    by the platform's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    platform = CollectorRegistry(auto_describe=False)
    platform.register(PlatformCollector())
    return generate_latest(registry) + generate_latest(platform)


def token_is_valid(authorization: str) -> bool:
    """``Authorization: Bearer <PTCE_METRICS_TOKEN>``, compared in constant time."""
    scheme, _, given = authorization.partition(" ")
    expected = settings.PTCE_METRICS_TOKEN
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), expected.encode())
    )
