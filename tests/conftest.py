import datetime

import hypothesis
import pytest
from django.conf import settings

# Fixtures for the ingestion tests (local HTTP servers, workers), registered once for the suite.
pytest_plugins = ["tests.ingest_support"]

# Property tests draw the same examples on every run, machine and test order (seeded from each test
# itself), and replay nothing from a local example database: a failure reproduces anywhere.
hypothesis.settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis.settings.load_profile("deterministic")


def pytest_configure(config: pytest.Config) -> None:
    # Tests never share a cache with a server or another run (nor flush a Redis DB): in-process.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached reads (stats, counts, API responses) never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def fixed_day(time_machine) -> datetime.date:
    """The test runs on one fixed day, for data that depends on today: synthetic records spread
    their dates up to it, so the same seed gives the same record whenever the suite runs."""
    time_machine.move_to(datetime.datetime(2025, 6, 30, 12, tzinfo=datetime.UTC))
    return datetime.date(2025, 6, 30)


@pytest.fixture
def curator(db, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("curator", password="curator-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Curator"))
    return user


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "admin-pass-123")
