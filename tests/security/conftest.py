"""The lifecycle fixtures (test catalog, API clients) for the security tests."""

from tests.dossiers.conftest import procedures  # noqa: F401
