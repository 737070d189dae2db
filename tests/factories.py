import factory

from teams.choices import Level, Role
from teams.models import Member, Membership, Team

PASSWORD = "correct-horse-battery-9"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    phone = factory.Sequence(lambda n: f"+8491{n:07d}")
    full_name = factory.Sequence(lambda n: f"Thành viên {n}")
    is_active = True
    # Hashed before the first save: a password set on a saved person would move their
    # token version on (Member.set_password), as a real password change does.
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    """Builds teams through the same path rule as teams.services."""

    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    level = Level.PROVINCE
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        team = model_class(*args, **kwargs)
        team.save()
        parent = kwargs.get("parent")
        team.path = f"{parent.path if parent else '/'}{team.pk}/"
        team.save(update_fields=["path"])
        return team


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.MEMBER


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tasks.Campaign"

    name = factory.Sequence(lambda n: f"Chiến dịch {n}")
    team = factory.SubFactory(TeamFactory)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tasks.Task"

    title = factory.Sequence(lambda n: f"Chia sẻ cảnh báo lừa đảo {n}")
    kind = "share"
    platform = "facebook"
    reference_url = "https://example.org/posts/1"
    team = factory.SubFactory(TeamFactory)
    created_by = factory.SubFactory(MemberFactory)


class AssignmentFactory(factory.django.DjangoModelFactory):
    """An assignment row as the fan-out writes it (no event: use the services for timelines)."""

    class Meta:
        model = "tasks.Assignment"

    task = factory.SubFactory(TaskFactory)
    assignee = factory.SubFactory(MemberFactory)
    team = factory.LazyAttribute(lambda a: a.task.team)
    status = "assigned"
