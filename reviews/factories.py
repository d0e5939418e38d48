"""Test and demo helpers: submitted files routed to a région, with a grid, and evaluations."""

from accounts.factories import UserFactory
from applications import services as application_services
from applications.factories import CallFactory, complete_application
from calls.models import create_default_grid
from reviews import services
from reviews.models import Evaluation

# Scores per default criterion (animation, cooperation, impact, innovation, viability,
# priority_territories): weighted total 3.40 (see docs/review-rules.md).
SCORES_340 = ["4", "3", "5", "2", "4", "1"]


def call_with_grid(**kwargs):
    call = CallFactory(**kwargs)
    create_default_grid(call)
    return call


def submitted_file(*, call=None, owner=None, communes=None, members=3):
    """A complete file submitted through the real service (routed to its région)."""
    call = call or call_with_grid()
    application = complete_application(
        owner=owner or UserFactory(), call=call, communes=communes, members=members
    )
    [application] = application_services.submit(application, actor=application.owner)
    application.refresh_from_db()
    return application


def score_values(application, values):
    grid = services.grid_of(application)
    criteria = services.criteria_of(grid)
    return {c.code: (v, f"Commentaire {c.code}") for c, v in zip(criteria, values, strict=True)}


def submit_evaluation(application, reviewer, values=SCORES_340) -> Evaluation:
    """Assign (if needed) then submit an evaluation with ``values`` in criterion order."""
    if not application.assignments.filter(reviewer=reviewer).exists():
        from reviews.models import Assignment
        from reviews.workload import default_due_on

        Assignment.objects.create(
            application=application, reviewer=reviewer, due_on=default_due_on(application)
        )
    evaluation = services.evaluation_for(application, reviewer)
    services.save_evaluation(evaluation, score_values(application, values), submit=True)
    evaluation.refresh_from_db()
    return evaluation


def reviewers(region_id="84", count=2, **kwargs):
    return [UserFactory(reviewer=True, region_id=region_id, **kwargs) for _ in range(count)]
