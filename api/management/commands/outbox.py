"""`manage.py outbox`: what the outbox still owes, and re-driving it.

    manage.py outbox              counts: owed, overdue (past their retry time), failing,
                                  per kind, the oldest owed row's age; the failing rows
    manage.py outbox --redrive    hand every owed row to a consumer now (through the
                                  broker, or in this process when none is configured)
    manage.py outbox --redrive --inline   consume them in this process, broker or not
    manage.py outbox --json       the counts as JSON (for a monitor)
"""
import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from api import outbox
from api.models import OutboxMessage


class Command(BaseCommand):
    help = "Show what the outbox owes (notifications, pushes) and re-drive it."

    def add_arguments(self, parser):
        parser.add_argument("--redrive", action="store_true", help="hand every owed row over again, now")
        parser.add_argument("--inline", action="store_true", help="with --redrive: consume in this process")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, redrive=False, inline=False, **options):
        if redrive:
            self._redrive(inline)
        stats = outbox.outbox_stats()
        if options["json"]:
            self.stdout.write(json.dumps(stats, sort_keys=True))
            return
        self.stdout.write(f"owed: {stats['owed']}  overdue: {stats['overdue']}  failing: {stats['failing']}  "
                          f"oldest: {stats['oldest_owed_seconds']} s")
        for kind, count in sorted(stats["by_kind"].items()):
            self.stdout.write(f"  {kind}: {count}")
        for row in (OutboxMessage.objects.filter(done_at__isnull=True).exclude(last_error="")
                    .order_by("created_at")[:20]):
            self.stdout.write(f"  failing {row.key} (attempts {row.attempts}): {row.last_error}")

    def _redrive(self, inline: bool):
        if inline:
            done = failed = 0
            for key in (OutboxMessage.objects.filter(done_at__isnull=True).order_by("created_at", "id")
                        .values_list("key", flat=True).iterator()):
                try:
                    done += outbox.deliver(key)
                except Exception as exc:  # reported, and the row stays owed
                    failed += 1
                    self.stderr.write(f"{key}: {exc.__class__.__name__}: {exc}")
            self.stdout.write(f"consumed {done}, failed {failed}")
            return
        OutboxMessage.objects.filter(done_at__isnull=True).update(available_at=timezone.now())
        self.stdout.write(f"handed over {outbox.relay(limit=1_000_000)}")
