"""python manage.py seed_scale --districts 1 --communes 10 --villages 10 --members 1000 --tasks 10"""
from django.core.management.base import BaseCommand, CommandError

from scale.seeding import Shape, find_seeded, seed_scale


class Command(BaseCommand):
    help = (
        "Build a national-size network under a new province: D districts x C communes x V villages x "
        "M members, T team-wide tasks per district fanned out to every member below it. "
        "COPY on PostgreSQL, batched inserts elsewhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--districts", type=int, default=1)
        parser.add_argument("--communes", type=int, default=10, help="per district")
        parser.add_argument("--villages", type=int, default=10, help="per commune")
        parser.add_argument("--members", type=int, default=100, help="per village")
        parser.add_argument("--tasks", type=int, default=5, help="team-wide tasks per district")
        parser.add_argument("--busy-tasks", type=int, default=0,
                            help="one extra member gets this many tasks of their own (a long member feed)")
        parser.add_argument("--password", default="scale-2026-pass", help="every seeded person's password")
        parser.add_argument("--reuse", action="store_true",
                            help="do nothing when a seed of exactly this shape is already there")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **o):
        values = [o["districts"], o["communes"], o["villages"], o["members"], o["tasks"], o["busy_tasks"]]
        if any(v < 0 for v in values) or o["districts"] < 1:
            raise CommandError("counts must be >= 0 and --districts >= 1")
        shape = Shape(*values)
        if o["reuse"] and (found := find_seeded(shape, o["database"])):
            self.stdout.write(f"seed_scale {shape.label}: already there (province #{found.province.pk}), nothing to do")
            return
        self.stdout.write(f"seed_scale {shape.label}: {shape.expected_assignments:,} assignments to write")
        try:
            seeded = seed_scale(shape, password=o["password"], using=o["database"], log=self.stdout.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for line in seeded.summary_lines():
            self.stdout.write(line)
        coordinator = seeded.district_coordinators[0]
        self.stdout.write(f"login: district coordinator {coordinator.phone}, password {o['password']!r}")
        if seeded.busy_member:
            self.stdout.write(f"login: busy member {seeded.busy_member.phone}")
