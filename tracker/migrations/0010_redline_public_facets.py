"""Partial indexes over public red lines for the API's filtered counts and full-text search.

Created with IF NOT EXISTS so a large database can be given them ahead of the migration
(e.g. the benchmark record); the state is that of the model's Meta.indexes.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

FACETS = models.Index(
    condition=models.Q(("is_published", True)),
    fields=["status", "severity", "category", "declared_on"],
    name="redline_public_facets",
)
CATEGORY = models.Index(
    condition=models.Q(("is_published", True)),
    fields=["category", "declared_on"],
    name="redline_public_category",
)
SEARCH = django.contrib.postgres.indexes.GinIndex(
    condition=models.Q(("is_published", True)),
    fields=["search_vector"],
    name="redline_public_search",
)

POSTGRES_SQL = [
    (
        "CREATE INDEX IF NOT EXISTS redline_public_facets ON tracker_redline "
        "(status, severity, category, declared_on) WHERE is_published",
        "DROP INDEX IF EXISTS redline_public_facets",
    ),
    (
        "CREATE INDEX IF NOT EXISTS redline_public_category ON tracker_redline "
        "(category, declared_on) WHERE is_published",
        "DROP INDEX IF EXISTS redline_public_category",
    ),
    (
        "CREATE INDEX IF NOT EXISTS redline_public_search ON tracker_redline "
        "USING gin (search_vector) WHERE is_published",
        "DROP INDEX IF EXISTS redline_public_search",
    ),
]


class AddIndexIfMissing(migrations.AddIndex):
    """AddIndex, but an index of that name that already exists is kept."""

    def __init__(self, model_name: str, index: models.Index, sql: tuple[str, str]) -> None:
        super().__init__(model_name, index)
        self.sql = sql

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "sql": self.sql}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(self.sql[0])

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(self.sql[1])


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0009_actor_counts"),
    ]

    operations = [
        AddIndexIfMissing("redline", index, sql)
        for index, sql in zip([FACETS, CATEGORY, SEARCH], POSTGRES_SQL, strict=True)
    ]
