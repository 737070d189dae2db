from django.core.management.base import BaseCommand

from reports.rollups import rollups_rebuild


class Command(BaseCommand):
    help = ("Rebuild the report rollups (daily tallies, team days, member tallies and periods) from the "
            "assignments. They are kept in step by database triggers; this is for repair.")

    def handle(self, *args, **options):
        for table, rows in rollups_rebuild().items():
            self.stdout.write(f"{table}: {rows} rows")
