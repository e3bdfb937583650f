from tests.dossiers.conftest import *  # noqa: F403
