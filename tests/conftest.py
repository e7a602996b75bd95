import pytest

from tests.fixtures.factories import build_world

pytest_plugins = ["tests.fixtures.worker", "tests.fixtures.attachments", "tests.fixtures.ldap"]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(client):
    """Return a function that logs the test client in as a user."""

    def login(user):
        client.force_login(user)
        return client

    return login
