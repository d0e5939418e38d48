"""Background tasks of webhooks (run by ``manage.py db_worker``)."""

from django_tasks import task

from webhooks import services


@task()
def deliver_webhook(delivery_id: int) -> str:
    return services.deliver_now(delivery_id)


@task()
def deliver_due_webhooks() -> int:
    return services.deliver_due()
