import pytest

from feedback.selectors.dashboard import forget_kept
from tests.fixtures.factories import build_world

pytest_plugins = ["tests.fixtures.worker", "tests.fixtures.attachments", "tests.fixtures.ldap"]


@pytest.fixture(autouse=True)
def _no_dashboard_kept():
    """Each test starts with no dashboard kept, in the process or in the shared cache: ids and
    the roll-ups' versions may repeat from one test's rolled-back database to the next's."""
    forget_kept(shared=True)


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
