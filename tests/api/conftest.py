"""Fixtures shared by the API tests (defined once here so session scope holds across modules)."""

from tests.api.serving_data import tenants_fixture  # noqa: F401
