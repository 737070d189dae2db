from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


# Top-down order: a team's parent sits exactly one step above it.
LEVEL_ORDER = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE]


def level_depth(level: str) -> int:
    return LEVEL_ORDER.index(level)


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
