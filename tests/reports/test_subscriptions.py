"""Report subscriptions: made once per finished period (even when two beats race),
stored, announced to the subscriber, downloadable only by people in scope."""
import io
from datetime import date, datetime

import time_machine
from openpyxl import load_workbook

from api import outbox
from api.models import OutboxMessage
from notifications.models import Notification
from reports import subscriptions
from reports.models import ReportDelivery, ReportSubscription

from .conftest import VN


def subscribe(client, team, period="month", format="xlsx"):
    return client.post("/api/v1/report-subscriptions/", {"team": team.pk, "period": period, "format": format},
                       format="json")


def test_subscribe_list_and_end(work, client_for):
    w = work.world
    client = client_for(w.observer_district)
    response = subscribe(client, w.district)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["team"] == w.district.pk and body["period"] == "month" and body["deliveries"] == []
    again = subscribe(client, w.district)
    assert again.status_code == 409 and again.json()["code"] == "already_subscribed"
    assert client.get("/api/v1/report-subscriptions/").json()["count"] == 1
    assert client_for(w.coord_district).get(f"/api/v1/report-subscriptions/{body['id']}/").status_code == 404
    assert client.delete(f"/api/v1/report-subscriptions/{body['id']}/").status_code == 204
    assert client.get("/api/v1/report-subscriptions/").json()["count"] == 0
    assert subscribe(client, w.district).status_code == 201  # ended: may subscribe again


def test_subscribing_is_for_readers_of_teams_in_scope(work, client_for):
    w = work.world
    assert subscribe(client_for(w.member_v1a), w.v1a).status_code == 403
    outside = subscribe(client_for(w.coord_c1), w.district)
    assert outside.status_code == 400 and "team" in outside.json()["errors"]
    bad = client_for(w.coord_c1).post("/api/v1/report-subscriptions/", {"team": w.c1.pk, "period": "day",
                                                                        "format": "doc"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"period", "format"}


def test_each_finished_period_is_made_once_and_announced(work, client_for):
    w = work.world
    with time_machine.travel(datetime(2025, 3, 5, 10, tzinfo=VN), tick=False):
        subscription = subscriptions.report_subscription_create(member=w.coord_district, team=w.district,
                                                                period="month", format="xlsx")
        assert subscriptions.reports_deliver_due() == 0  # February ended before the subscription began
    with time_machine.travel(datetime(2025, 4, 1, 0, 30, tzinfo=VN), tick=False):
        assert subscriptions.reports_deliver_due() == 1
        assert subscriptions.reports_deliver_due() == 0  # the next beat finds it made
        # Two beats racing: the second finds the delivery under the subscription's lock.
        period = subscriptions.due_period(subscription, date(2025, 4, 1))
        assert subscriptions.report_deliver(subscription=subscription, period=period) is None
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    book = load_workbook(io.BytesIO(bytes(delivery.content)))
    assert book.worksheets[0]["A1"].value == "Báo cáo Cư Jút, 2025-03"
    message = OutboxMessage.objects.get(kind="reports.delivered")
    assert outbox.deliver(message.key) is True
    outbox.deliver(message.key)  # a redelivery writes nothing twice
    notes = Notification.objects.filter(recipient=w.coord_district, kind="report_ready")
    assert notes.count() == 1
    assert notes.get().params == {"team": "Cư Jút", "period": "2025-03", "report_id": delivery.pk}
    assert OutboxMessage.objects.filter(kind="reports.delivered").count() == 1
    with time_machine.travel(datetime(2025, 5, 2, tzinfo=VN), tick=False):
        assert subscriptions.reports_deliver_due() == 1  # April
    assert ReportDelivery.objects.count() == 2


def test_the_download_is_for_people_in_scope(work, client_for):
    w = work.world
    with time_machine.travel(datetime(2025, 3, 5, tzinfo=VN), tick=False):
        subscription = subscriptions.report_subscription_create(member=w.coord_c1, team=w.c1, period="week",
                                                                format="pdf")
    with time_machine.travel(datetime(2025, 3, 17, 8, tzinfo=VN), tick=False):
        assert subscriptions.reports_deliver_due() == 1
    delivery = ReportDelivery.objects.get(subscription=subscription)
    url = f"/api/v1/report-deliveries/{delivery.pk}/download/"
    own = client_for(w.coord_c1).get(url)
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF")
    assert client_for(w.coord_district).get(url).status_code == 200  # in scope, above the team
    assert client_for(w.coord_c2).get(url).status_code == 404  # the sibling commune
    assert client_for(w.member_v1a).get(url).status_code == 403
    listed = client_for(w.coord_c1).get(f"/api/v1/report-subscriptions/{subscription.pk}/").json()
    assert listed["deliveries"][0]["download_url"] == url
    # Ended with a report made: it leaves the list, the report stays downloadable.
    assert client_for(w.coord_c1).delete(f"/api/v1/report-subscriptions/{subscription.pk}/").status_code == 204
    assert client_for(w.coord_c1).get(url).status_code == 200
    assert ReportSubscription.objects.get(pk=subscription.pk).ended_at is not None


def test_a_subscriber_who_lost_the_scope_gets_nothing(work):
    w = work.world
    with time_machine.travel(datetime(2025, 3, 5, tzinfo=VN), tick=False):
        subscriptions.report_subscription_create(member=w.coord_c1, team=w.c1, period="week", format="json")
    w.coord_c1.memberships.update(role="member")
    with time_machine.travel(datetime(2025, 3, 17, 8, tzinfo=VN), tick=False):
        assert subscriptions.reports_deliver_due() == 0
    assert not ReportDelivery.objects.exists()
    assert ReportSubscription.objects.count() == 1
