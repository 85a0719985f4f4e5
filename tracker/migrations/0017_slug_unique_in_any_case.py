"""Slugs unique without regard to case; stops with the colliding slugs listed if there are any."""

from django.db import migrations, models
from django.db.models.functions import Lower


def slug_collisions(apps, schema_editor=None) -> list[str]:
    """Groups of actors or red lines whose slugs differ only in letter case, one line per group."""
    found = []
    for model_name in ("Actor", "RedLine"):
        model = apps.get_model("tracker", model_name)
        clashing = (
            model.objects.annotate(folded=Lower("slug"))
            .values("folded")
            .annotate(n=models.Count("id"))
            .filter(n__gt=1)
            .values_list("folded", flat=True)
        )
        for folded in clashing.order_by("folded"):
            rows = model.objects.annotate(folded=Lower("slug")).filter(folded=folded).order_by("id")
            found.append(f"{model_name}: " + ", ".join(f"{r.slug} (id {r.pk})" for r in rows))
    return found


def refuse_collisions(apps, schema_editor) -> None:
    if found := slug_collisions(apps):
        raise RuntimeError(
            "Slugs must now be unique without regard to letter case, and these differ only in case:\n  "
            + "\n  ".join(found)
            + "\nRename all but one of each group (admin or API), then run migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0016_webhook_url_public"),
    ]

    operations = [
        migrations.RunPython(refuse_collisions, migrations.RunPython.noop),
        *(
            migrations.AddConstraint(
                model_name=model_name,
                constraint=models.UniqueConstraint(
                    Lower("slug"),
                    name=f"{model_name}_slug_unique_any_case",
                    violation_error_code="slug_taken",
                    violation_error_message=f"Another {noun} already has this slug "
                    "(slugs are compared without regard to letter case).",
                ),
            )
            for model_name, noun in (("actor", "actor"), ("redline", "red line"))
        ),
    ]
