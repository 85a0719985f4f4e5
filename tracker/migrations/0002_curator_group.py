"""The Curator group: edit the curated record, work the review queue, manage feeds."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from tracker.access import CURATOR_PERMISSIONS


def create_curator_group(apps, schema_editor):
    app_config = apps.get_app_config("tracker")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curator")
    codenames = [f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions]
    perms = Permission.objects.filter(content_type__app_label="tracker", codename__in=codenames)
    group.permissions.set(perms)


def remove_curator_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curator_group, remove_curator_group)]
