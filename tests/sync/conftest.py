from tests.dossiers.conftest import *  # noqa: F403  (the lifecycle fixtures: procedures, as_user, …)
