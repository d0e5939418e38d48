"""Periodic jobs: each app registers tasks to enqueue at a fixed interval.

``manage.py run_scheduler`` enqueues due jobs; several schedulers may run at once, the
``PeriodicJobRun`` row lock makes sure a job is enqueued once per interval.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.models import PeriodicJobRun


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str
    every: timedelta


_REGISTRY: dict[str, PeriodicJob] = {}


def register(name: str, task_path: str, every: timedelta) -> None:
    _REGISTRY[name] = PeriodicJob(name, task_path, every)


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_REGISTRY.values(), key=lambda job: job.name)


def enqueue_due_jobs(now=None) -> list[str]:
    from django.utils.module_loading import import_string

    now = now or timezone.now()
    enqueued = []
    for job in registered_jobs():
        with transaction.atomic():
            run, _ = PeriodicJobRun.objects.select_for_update().get_or_create(name=job.name)
            if run.last_enqueued_at and run.last_enqueued_at + job.every > now:
                continue
            import_string(job.task_path).enqueue()
            run.last_enqueued_at = now
            run.save(update_fields=["last_enqueued_at"])
            enqueued.append(job.name)
    return enqueued
