"""The channel statistics' rollup (publishing.ChannelDay): on PostgreSQL the triggers keep it equal to
the live count of posts per channel and local day through every kind of write, and the statistics read
from it give what counting the posts gives."""
from datetime import date, datetime, timedelta, timezone as dt_timezone

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from publishing.models import Channel, ChannelDay, ChannelPost
from publishing.services import local_day
from reports import selectors

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _live():
    return {(r["channel_id"], r["published_on"]): r["n"] for r in
            ChannelPost.objects.values("channel_id", "published_on").annotate(n=Count("pk")).order_by()}


def _rollup():
    return {(r.channel_id, r.day): r.posts for r in ChannelDay.objects.all() if r.posts}


def _post(channel, when):
    return ChannelPost(channel=channel, url="https://facebook.com/p", published_at=when, published_on=local_day(when))


def _utc(*args):
    return datetime(*args, tzinfo=dt_timezone.utc)


def test_the_rollup_follows_every_write(world, page_c1, page_c2):
    one = ChannelPost.objects.create(**{f.name: getattr(_post(page_c1, _utc(2026, 12, 1, 3)), f.name)
                                        for f in ChannelPost._meta.concrete_fields if f.name != "id"})
    ChannelPost.objects.bulk_create([_post(page_c1, _utc(2026, 12, 1, 16, 59)), _post(page_c1, _utc(2026, 12, 1, 17)),
                                     _post(page_c2, _utc(2026, 12, 2, 3))])
    assert _rollup() == _live() == {(page_c1.pk, date(2026, 12, 1)): 2, (page_c1.pk, date(2026, 12, 2)): 1,
                                    (page_c2.pk, date(2026, 12, 2)): 1}
    # A post moved to another day (a completion after a rejection), another channel, a bulk update.
    ChannelPost.objects.filter(pk=one.pk).update(published_on=date(2026, 12, 5))
    assert _rollup() == _live()
    ChannelPost.objects.filter(channel=page_c2).update(channel=page_c1)
    assert _rollup() == _live()
    ChannelPost.objects.filter(pk=one.pk).update(note="sửa ghi chú")  # no key change: nothing moves
    assert _rollup() == _live()
    ChannelPost.objects.filter(published_on=date(2026, 12, 2)).delete()
    assert _rollup() == _live()
    with pytest.raises(RuntimeError), transaction.atomic():  # a rolled-back write leaves it as it was
        ChannelPost.objects.bulk_create([_post(page_c2, _utc(2026, 12, 9, 3))])
        raise RuntimeError
    assert _rollup() == _live()


def test_statistics_from_the_rollup_equal_the_live_count(world, page_c1, page_c2, monkeypatch):
    start = _utc(2026, 11, 1)
    ChannelPost.objects.bulk_create([_post((page_c1, page_c2)[n % 2], start + timedelta(hours=5 * n))
                                     for n in range(200)])
    channels = list(Channel.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as rollup_queries:
        from_rollup = selectors.channel_stats(channels, date(2026, 11, 3), date(2026, 11, 30))
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the live path (as on SQLite, or with topic=)
    with CaptureQueriesContext(connection) as live_queries:
        live = selectors.channel_stats(channels, date(2026, 11, 3), date(2026, 11, 30))
    assert [("publishing_channelday" in q["sql"], "publishing_channelpost" in q["sql"])
            for q in (*rollup_queries.captured_queries, *live_queries.captured_queries)] == [(True, False),
                                                                                            (False, True)]
    assert from_rollup == live
    assert sum(row["posts"] for row in live) > 100 and any(row["days_on_target"] for row in live)
