"""A `replica` alias for the router tests, mirroring the test database of `default`.

Production configures it from DATABASE_REPLICA_URL; a test run normally has no
replica, so one is added here before the test databases are created (test
collection runs before any database setup). As a TEST MIRROR it opens a second
connection to the same test database, like a replica that has caught up.
Nothing routes to it unless READ_REPLICA_ALIAS names it, which only the router
tests do, so the other suites keep reading `default` only.
"""
import copy

from django.conf import settings
from django.db import connections

if "replica" not in settings.DATABASES:
    replica = copy.deepcopy(settings.DATABASES["default"])
    replica["TEST"] = {"MIRROR": "default"}
    settings.DATABASES["replica"] = replica
    # The handler may already have read DATABASES; fill in the new alias's defaults the same way.
    connections.configure_settings(settings.DATABASES)
