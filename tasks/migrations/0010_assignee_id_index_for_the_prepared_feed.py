"""(assignee, id) instead of (assignee, status): the phone's first page, newest first, read
backwards from the person's own entries, whoever they are.

That page is prepared once per connection (api/rows.py, page_prepared): its generic plan must
suit a person with ten assignments and one with a hundred thousand. With (assignee, status) the
generic plan read all of a person's rows and sorted them (125 ms for the bench's busy member);
with (assignee, id) it reads the page's rows and stops. The index count stays the same, so a
fan-out pays no more; reads by assignee and status go through the same index.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tasks', '0009_own_assignments_changed_since'),
        ('teams', '0006_invites_and_join_requests'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(fields=['assignee', 'id'], name='assignment_assignee_id'),
        ),
        migrations.RemoveIndex(
            model_name='assignment',
            name='assignment_assignee_status',
        ),
    ]
