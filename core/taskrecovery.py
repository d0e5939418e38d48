"""Recovery of background tasks whose worker died (killed, out of memory, machine lost).

``django_tasks_db`` marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed mid-task would leave it RUNNING for ever, so its effect (a receipt, an e-mail)
would never happen. The periodic job below puts such tasks back in the queue once they have
been running for longer than ``PTCE_TASK_STALLED_AFTER`` seconds (30 minutes by default, far
beyond any task of the platform). This makes every task *at least once*; tasks are written to be
idempotent so that the effect happens *exactly once* (``generate_receipt`` keeps the PDF already
stored and queues its e-mail with a ``dedup_key``; the outbox claims each e-mail under a lock).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def stalled_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "PTCE_TASK_STALLED_AFTER", 30 * 60))


def requeue_stalled(now=None) -> int:
    """Put RUNNING tasks started too long ago back to READY; returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - stalled_after()
    ).update(status=TaskResultStatus.READY, started_at=None)
