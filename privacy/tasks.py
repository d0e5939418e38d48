"""Background tasks of the privacy app (run by ``manage.py db_worker``)."""

from django_tasks import task


@task()
def apply_retention() -> dict:
    from privacy import retention

    return {line.category: line.count for line in retention.apply()}
