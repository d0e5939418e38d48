"""Property-based check of the API against its generated OpenAPI document (schemathesis through
WSGI): every operation (public ones, the staff one with a valid token, eligibility), no server
error, status
codes, content types and bodies as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from accounts.factories import UserFactory
from directory.api import build_document
from directory.tests.conftest import bulk_ptces, programme_data
from directory.tokens import issue_token
from events.factories import EventFactory
from laureates.factories import PtceFactory, PtceLabelFactory, PtceMemberFactory
from laureates.services import set_ptce_territory
from territories.models import Commune

pytestmark = pytest.mark.django_db(transaction=False)

schema = schemathesis.openapi.from_dict(build_document())


@pytest.fixture
def directory_data():
    for index, code in enumerate(["29019", "97411", "2A004"]):
        ptce = PtceFactory(name=f"Pôle schéma {index}", contact_email=f"c{index}@pole.example")
        set_ptce_territory(ptce, commune_codes=[code])
        PtceLabelFactory(ptce=ptce, title="AMI 2021", year=2021, phase="emergence")
        PtceMemberFactory(ptce=ptce, is_public=bool(index % 2))
    bulk_ptces(30)
    programme_data()
    EventFactory(title="Webinaire", kind="webinar")
    EventFactory(past=True, on_site=True, commune=Commune.objects.get(code="29019"))
    national = UserFactory(national=True)
    return issue_token(national, name="schemathesis")[1]


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "directory_api": "0", "eligibility": "0"}


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Through the raw WSGI handler, Django closes database connections at the start and end of
    each request; inside a test transaction that would lose it (Django's test client does the
    same disconnection)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_openapi(case, directory_data):
    from ptce.wsgi import application

    case.call_and_validate(
        app=application,
        headers={"Authorization": f"Bearer {directory_data}"},
        # ignored_auth re-sends requests outside the WSGI application (schemathesis 4.32 with
        # ``app=``): the token rules are tested in test_api_resources.py instead.
        excluded_checks=[negative_data_rejection, positive_data_acceptance, ignored_auth],
    )


def test_schemathesis_covers_every_documented_operation():
    operations = {
        (result.ok().method.upper(), result.ok().path) for result in schema.get_all_operations()
    }
    assert {
        ("GET", "/api/v1/ptce"),
        ("GET", "/api/v1/ptce/{id}"),
        ("GET", "/api/v1/calls"),
        ("GET", "/api/v1/awards"),
        ("GET", "/api/v1/events"),
        ("GET", "/api/v1/staff/awards"),
        ("POST", "/api/v1/eligibility"),
    } <= operations
