"""Fixtures shared by every app's tests."""

import ipaddress
import socket

import pytest


def _is_local(address) -> bool:
    if isinstance(address, str):  # Unix socket (PostgreSQL through its socket)
        return True
    host = address[0]
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch):
    """No test may reach the internet: only loopback connections are allowed."""
    original_connect = socket.socket.connect

    def guarded_connect(self, address):
        if not _is_local(address):
            raise RuntimeError(f"Accès réseau interdit pendant les tests : {address!r}")
        return original_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture(autouse=True)
def _fresh_territory_names():
    """The API list keeps région and département names per process (directory.exports): a name
    changed by a test and rolled back with it must not be served to the next one."""
    yield
    from directory.exports import forget_territory_names

    forget_territory_names()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the official geography once for the whole session (it is reference data)."""
    from territories.importer import import_snapshot

    with django_db_blocker.unblock():
        import_snapshot()


@pytest.fixture
def outbox_sent(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (queued tasks) and return Django's locmem outbox."""
    from django.core import mail

    return mail.outbox
