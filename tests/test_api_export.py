"""The red lines' CSV is read as flat rows, and says exactly what the serializers would."""

import pytest
from rest_framework.test import APIClient

from api.views import RedLineViewSet
from tracker.services.synthetic import synthetic_record_generate

pytestmark = pytest.mark.django_db


def csv_of(url: str) -> bytes:
    response = APIClient().get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "query", ["", "severity=military", "q=missiles", "ordering=-updated_at", "declared_after=2015-01-01"]
)
def test_flat_csv_rows_match_the_serialized_rows(query, monkeypatch):
    synthetic_record_generate(actors=6, red_lines=40, events=200, seed=21)
    url = f"/api/v1/red-lines/?format=csv&{query}"
    flat = csv_of(url)
    monkeypatch.setattr(RedLineViewSet, "export_flat_rows", None)
    assert flat == csv_of(url)
    assert len(flat.splitlines()) > 1


def test_flat_csv_reads_two_queries_per_thousand_lines(django_assert_max_num_queries):
    synthetic_record_generate(actors=4, red_lines=1200, events=100, seed=22)
    with django_assert_max_num_queries(1 + 2 * 2):
        csv_of("/api/v1/red-lines/?format=csv")
