"""Background tasks of the company register."""

from django_tasks import task

from registry import services


@task()
def recheck_pending_sirets() -> dict:
    """Re-check the SIRETs accepted as « à vérifier » (registered as a periodic job)."""
    return services.recheck_pending()
