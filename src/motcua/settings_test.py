"""Settings for the test suite: the production settings, no secrets needed, fast hashing."""

import os

os.environ.setdefault("MOTCUA_DEV", "1")
os.environ.setdefault("LOG_FORMAT", "text")

from motcua.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast for tests only
