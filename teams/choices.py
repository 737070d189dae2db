from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    VILLAGE = "village", _("Village")


# Top-down order. An `area` team's parent is an `area` team of a higher level (a level may
# be skipped: since July 2025 a commune sits directly under its province); any other kind's
# parent is a team of its own level or higher.
LEVEL_ORDER = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE]


def level_depth(level: str) -> int:
    return LEVEL_ORDER.index(level)


class TeamKind(models.TextChoices):
    AREA = "area", _("Area")
    JOINT = "joint", _("Joint team")
    ORGANISATION = "organisation", _("Organisation")
    AGENCY = "agency", _("Agency")


# Who wins when one person holds two roles in teams that are merged (teams.services.team_merge).
ROLE_STRENGTH = {"member": 0, "observer": 1, "coordinator": 2}


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
