"""Channel statistics for make bench (issue 11).

GET /api/v1/teams/{province}/stats/channels/?since=&until= over 90 local days, with 100
channels in the province's subtree and 30,000 posts in that range, as a province
coordinator, one page of 100 channels (target <= 100 ms on PostgreSQL). The baseline,
measured in the same run, is the one GROUP BY (channel, local day) the endpoint needs,
sent raw: the ratio says what the API adds to the database's own work.

The channels and posts are seeded here once (COPY on PostgreSQL) and found again by name.
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from publishing.models import Channel, ChannelPost
from publishing.services import local_day
from scale.writers import TableWriter
from teams.models import Team

from .surveys import province_coordinator

CHANNELS = 100
POSTS = 30_000
DAYS = 90
PREFIX = "Bench kênh"


def _range():
    until = timezone.localdate() - timedelta(days=1)
    return until - timedelta(days=DAYS - 1), until


@transaction.atomic
def seed(province) -> tuple[list[Channel], int]:
    channels = list(Channel.objects.filter(name__startswith=PREFIX, team__path__startswith=province.path))
    if len(channels) == CHANNELS:
        return channels, ChannelPost.objects.filter(channel__in=channels).count()
    teams = list(Team.objects.filter(path__startswith=province.path).exclude(pk=province.pk)
                 .order_by("path").values_list("pk", flat=True)[:CHANNELS])
    channels = Channel.objects.bulk_create([
        Channel(team_id=teams[n % len(teams)], platform="facebook", kind="page", name=f"{PREFIX} {n}",
                url=f"https://facebook.com/bench-channel-{province.pk}-{n}", posts_per_day_target=3)
        for n in range(CHANNELS)])
    channels = list(Channel.objects.filter(name__startswith=PREFIX, team__path__startswith=province.path))
    since, _until = _range()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(since, time.min, tzinfo=zone)
    rng = random.Random(11)
    now = timezone.now()
    span = DAYS * 86400 - 1
    def row():
        when = start + timedelta(seconds=rng.randrange(span))
        return rng.choice(channels).pk, "https://facebook.com/p", when, local_day(when), "", now, now

    TableWriter(ChannelPost, ["channel", "url", "published_at", "published_on", "note", "created_at",
                              "updated_at"]).write(row() for _ in range(POSTS))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE publishing_channelpost")
    return channels, POSTS


def raw_group_by(channel_ids, since, until):
    """The database's own work: posts per channel and local day, one query sent raw."""
    ids = ",".join(str(int(i)) for i in channel_ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT channel_id, published_on, count(*) FROM publishing_channelpost "
                       f"WHERE channel_id IN ({ids}) AND published_on >= %s AND published_on <= %s GROUP BY 1, 2",
                       [since, until])
        return cursor.fetchall()


def measure(seeded, out, details, *, api_class, median_ms, require_route, capture):
    province = seeded.province
    coordinator = province_coordinator(province)
    channels, posts = seed(province)
    since, until = _range()
    url = f"/api/v1/teams/{province.pk}/stats/channels/?since={since}&until={until}&page_size=100"
    require_route(url, "channel_stats_90d")
    api = api_class(coordinator)
    body = api.json(url)
    with capture(connection) as queries:
        api.get(url)
    ids = [c.pk for c in channels]
    out["channels"] = len(body["results"])
    out["posts"] = sum(row["posts"] for row in body["results"])
    out["queries"] = len(queries)
    out["ms"] = median_ms(lambda: api.get(url))
    out["raw_ms"] = median_ms(lambda: raw_group_by(ids, since, until))
    out["ratio_vs_raw"] = round(out["ms"] / out["raw_ms"], 2) if out["raw_ms"] else None
    details["channel_stats_90d"] = {
        "team": province.pk, "since": str(since), "until": str(until), "seeded_posts": posts,
        "caller": "a coordinator of the province", "target_ms": 100,
        "days_on_target_total": sum(row["days_on_target"] for row in body["results"]),
    }
