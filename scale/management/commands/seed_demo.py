"""Seed the demo province (2026: no districts, a joint and a Youth Union team, a merged commune): each app's demo module in order, lowest first. Running it again changes nothing.

A new app with demo data adds its step to DEMO_STEPS (a function taking the
demo teams by name and stdout), after the apps it builds on.
"""
from django.core.management.base import BaseCommand
from django.db import transaction

from publishing.demo import seed_publishing
from surveys.demo import seed_surveys
from tasks.demo import seed_tasks
from teams.demo import DEMO_PASSWORD, seed_joining, seed_network

# After the network (teams.demo): each higher app's demo, in dependency order.
DEMO_STEPS = (
    seed_joining,
    seed_tasks,
    seed_publishing,
    seed_surveys,
)


class Command(BaseCommand):
    help = "Seed the demo province Lâm Đồng (communes, villages and buôn, joint and Youth Union teams, a merged commune, an open invite with join requests waiting) with logins for every role and team (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        teams, logins = seed_network()
        for step in DEMO_STEPS:
            step(teams, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo network ready. Logins (password: %s):" % DEMO_PASSWORD))
        for phone, role, team in logins:
            self.stdout.write(f"  {phone:<14} {role:<12} {team}")
