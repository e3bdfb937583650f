"""The current instant, in one place so tests can move time (services never call datetime.now)."""

from django.utils import timezone


def now():
    return timezone.now()
