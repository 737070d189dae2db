"""A partial index of the offline work that carries a quantity (PostgreSQL only, built
CONCURRENTLY).

The statistics sum offline quantities over the assignments (the rollups keep counts,
not quantities): the subtree's work created in a range, per child team, per day handed
in. Without an index those sums read every assignment of the subtree (about 170 ms
each over a district of 1.1 million, three of them in a month's report); this index
holds only completed and verified work with a quantity, so they read just that. A
fan-out's new rows carry no quantity: it writes no entry here.
"""
from django.db import migrations

NAME = "reports_assignment_quantity"
DEFINITION = ("tasks_assignment (team_id, completed_at, created_at) INCLUDE (quantity) "
              "WHERE quantity IS NOT NULL AND status IN ('completed', 'verified')")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reports", "0011_subtree_members"),
        ("tasks", "0003_offline_work"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
