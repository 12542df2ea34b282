"""Fixtures shared by the API tests (defined once here so session scope holds across modules)."""

from tests.api.priorities_data import prio_client_fixture, prio_db_fixture  # noqa: F401
from tests.api.serving_data import tenants_fixture  # noqa: F401
