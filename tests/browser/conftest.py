"""Fixtures of the real-browser journeys (headless Chromium driven by Playwright).

Every test in this folder is marked `browser` (so `make test` leaves them out) and runs
against pytest-django's live server on a fresh, transactional database.
"""

import os
from pathlib import Path

import pytest

from tests.browser import helpers

BROWSER_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `browser` before `-m` selection happens."""
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def pytest_runtest_logreport(report):
    if report.when == "call" and report.nodeid in helpers.JOURNEYS:
        helpers.JOURNEYS[report.nodeid]["seconds"] = report.duration
        helpers.JOURNEYS[report.nodeid]["outcome"] = report.outcome


def journeys_markdown() -> str:
    lines = ["| parcours | résultat | durée (s) | pages vérifiées |", "|---|---|---:|---:|"]
    for nodeid, journey in helpers.JOURNEYS.items():
        name = nodeid.split("tests/browser/")[-1]
        lines.append(
            f"| `{name}` | {journey.get('outcome', '?')} | {journey.get('seconds', 0):.1f} "
            f"| {len(journey['pages'])} |"
        )
    return "\n".join(lines) + "\n"


def pytest_terminal_summary(terminalreporter):
    if helpers.JOURNEYS:
        terminalreporter.section("Parcours en navigateur")
        terminalreporter.write(journeys_markdown())
    if not helpers.AXE_REPORT.entries:
        return
    terminalreporter.section("axe-core : violations par page (nombre d’éléments)")
    terminalreporter.write(helpers.AXE_REPORT.markdown())
    terminalreporter.write_line(f"Rapport écrit dans {helpers.ARTIFACTS / 'axe-report.md'}")


@pytest.fixture(scope="session", autouse=True)
def _live_server_media_url():
    """Django's live server serves MEDIA_URL itself and cannot start when it is None (our
    setting: uploads are only served through permission-checked views). Give it a path no
    page links to, for the browser tests only; autouse, so it is set before `live_server`."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_URL="/fichiers-non-publics/"):
        yield


@pytest.fixture(scope="session")
def _axe_report():
    yield helpers.AXE_REPORT
    if helpers.AXE_REPORT.entries:
        helpers.ARTIFACTS.mkdir(exist_ok=True)
        (helpers.ARTIFACTS / "journeys.md").write_text(
            "# Parcours en navigateur\n\n" + journeys_markdown(), encoding="utf-8"
        )
        (helpers.ARTIFACTS / "axe-report.md").write_text(
            "# axe-core : pages × violations\n\n"
            "Nombre d’éléments en infraction, par impact (axe-core "
            f"{_axe_version()}, règles par défaut).\n\n" + helpers.AXE_REPORT.markdown(),
            encoding="utf-8",
        )


def _axe_version() -> str:
    import json

    package = helpers.AXE_DIR / "package.json"
    return json.loads(package.read_text())["version"] if package.exists() else "?"


@pytest.fixture(scope="session")
def axe():
    return helpers.axe_source(), helpers.axe_locale()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (the Debian package, never a downloaded build) per session."""
    if not os.access(helpers.CHROMIUM, os.X_OK):
        message = f"{helpers.CHROMIUM} est absent : lancez `make test-browser`."
        if os.environ.get("PTCE_BROWSER_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an asyncio loop running in this thread; Django would
    # then refuse database access from the test ("async context"), although nothing here is
    # asynchronous. This is Playwright's documented set-up for Django test suites.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=helpers.CHROMIUM, args=helpers.CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


_GEOGRAPHY_ROWS: dict = {}


@pytest.fixture
def _geography(transactional_db):
    """The official geography, present for every journey.

    The root conftest loads it once per session, but the live server needs a transactional
    database, whose tables are all flushed after each test. Its rows are read once, the first
    time, and put back with one multi-row INSERT per table when gone (about 1 s instead of
    15 s for a full import). Only the browser tests pay for this."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from territories.importer import import_snapshot
    from territories.models import Commune, Department, Epci, Region

    models = [Region, Department, Epci, Commune]
    if Region.objects.exists():
        if not _GEOGRAPHY_ROWS:
            for model in models:
                fields = model._meta.concrete_fields
                _GEOGRAPHY_ROWS[model] = [
                    tuple(
                        field.get_db_prep_save(value, connection)
                        for field, value in zip(fields, row, strict=True)
                    )
                    for row in model.objects.values_list(*(f.attname for f in fields))
                ]
        return
    if not _GEOGRAPHY_ROWS:
        import_snapshot()
        return
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            columns = [quote(f.column) for f in model._meta.concrete_fields]
            cursor.executemany(
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                _GEOGRAPHY_ROWS[model],
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def site_url(live_server, settings, _geography):
    """The live server's address, also used for the links of the e-mails."""
    settings.SITE_URL = live_server.url
    return live_server.url


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (no cookies shared), closed after the test."""
    contexts = []

    def opener(**options):
        context = browser.new_context(
            **{
                "viewport": helpers.DESKTOP,
                "locale": "fr-FR",
                "timezone_id": "Europe/Paris",
                "reduced_motion": "reduce",
                **options,
            }
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def open_journey(request, site_url, new_page, axe, _axe_report):
    """Open a journey with browser-context options (e.g. `viewport=`, `device_scale_factor=`)."""
    base = helpers.slug(request.node.name.removeprefix("test_"))

    def opener(suffix: str = "", **context_options) -> helpers.Journey:
        name = f"{base}-{helpers.slug(suffix)}" if suffix else base
        journey = helpers.Journey(new_page(**context_options), site_url, name, axe)
        helpers.JOURNEYS.setdefault(request.node.nodeid, {"pages": []})
        journey.checked = helpers.JOURNEYS[request.node.nodeid]["pages"]
        return journey

    return opener


@pytest.fixture
def journey(open_journey):
    """A browser page on the live server, 1280 px wide: `journey.goto(path)`,
    `journey.check(label)`; see tests/browser/helpers.py."""
    return open_journey()
