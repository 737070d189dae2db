"""The period report's `channels` section and offline quantities, against hand-counted posts
and offline work on top of tests/reports/conftest.py (the week of Monday 10 March 2025).

Channels (posts by Asia/Ho_Chi_Minh day; the week 10-16 March has 7 days):

  channel                 team      target  posts in the week                 on target
  "Tâm Thắng hôm nay"     c1        2       10 Mar: 2 (one at 23:59 local),   10 Mar
                                            11 Mar: 1                         (11 Mar is not)
                                            outside: 9 Mar 23:59, 17 Mar 00:00 local
  "Tiếng nói Thôn 4"      v2a       3       12 Mar: 3, 13 Mar: 1              12 Mar
  "Krông Nô ngày mới"     Krông Nô  1       10 Mar: 1                         (other district: never shown)

  -> c1's channel: posts 3, days 7, days on target 1, rate 1/7 = 0.1429;
     v2a's channel: posts 4, days on target 1, rate 0.1429.

Offline work (task "offline", kind offline, at the district):

  q1  member_v1a    v1a  completed  created 11 Mar  handed in 11 Mar 15:00  quantity 120
  q2  member_v2a    v2a  verified   created 11 Mar  handed in 12 Mar 09:00  quantity 30
  q3  member_v1b    v1b  rejected   created 11 Mar  handed in 11 Mar        quantity 50  (not counted)
  q4  member_v1a_2  v1a  completed  created  5 Mar  handed in 10 Mar        quantity 7

  -> stats.quantity (work created in the week, now completed or verified) = 120 + 30 = 150;
     Tâm Thắng 120, Nam Dong 30; daily quantity (by the day handed in): 10 Mar 7 (q4, created
     the week before), 11 Mar 120, 12 Mar 30.
"""
import io
import shutil
import subprocess
from datetime import datetime, timezone as dt_timezone

import pytest
from openpyxl import load_workbook

from publishing import services as publishing
from publishing.models import Channel
from tests.factories import AssignmentFactory, TaskFactory

from .conftest import local

WEEK = {"period": "week", "date": "2025-03-12"}
C1_CHANNEL = "Tâm Thắng hôm nay"
V2A_CHANNEL = "Tiếng nói Thôn 4"
OTHER_CHANNEL = "Krông Nô ngày mới"


def _utc(*args):
    return datetime(*args, tzinfo=dt_timezone.utc)


@pytest.fixture
def posts(work):
    w = work.world

    def channel(actor, team, platform, name, url, target):
        return publishing.channel_create(actor=actor, team=team, platform=platform, kind="page", name=name,
                                         url=url, posts_per_day_target=target)

    def post(ch, when, n=1):
        for i in range(n):
            publishing.channel_post_create(channel=ch, actor=w.coord_district, url=f"{ch.url}/p/{when:%d%H%M}{i}",
                                           published_at=when)

    work.ch_c1 = channel(w.coord_c1, w.c1, "facebook", C1_CHANNEL, "https://facebook.com/tamthang.homnay", 2)
    work.ch_v2a = channel(w.coord_c2, w.v2a, "zalo", V2A_CHANNEL, "https://zalo.me/tiengnoithon4", 3)
    work.ch_other = channel(w.coord_other_district, w.other_district, "facebook", OTHER_CHANNEL,
                            "https://facebook.com/krongno.ngaymoi", 1)
    post(work.ch_c1, local(9, 23, 59))                # Sunday 9 March: the week before
    post(work.ch_c1, local(10, 8))
    post(work.ch_c1, _utc(2025, 3, 10, 16, 59))       # 23:59 local on the 10th -> 10 Mar: 2, on target
    post(work.ch_c1, _utc(2025, 3, 10, 17, 0))        # 00:00 local on the 11th -> 11 Mar: 1, not
    post(work.ch_c1, _utc(2025, 3, 16, 17, 0))        # 00:00 local on Monday 17th: the week after
    post(work.ch_v2a, local(12, 7), n=3)              # 12 Mar: 3 of 3, on target
    post(work.ch_v2a, local(13, 7))                   # 13 Mar: 1 of 3, not
    post(work.ch_other, local(10, 9))

    offline = TaskFactory(team=w.district, kind="offline", platform="other", created_by=w.coord_district)
    work.offline = offline

    def done(person, team, status, created, completed, quantity, reviewed=None):
        AssignmentFactory(task=offline, assignee=person, team=team, status=status, created_at=created,
                          completed_at=completed, reviewed_at=reviewed, quantity=quantity,
                          reviewed_by=w.coord_district if reviewed else None)

    done(w.member_v1a, w.v1a, "completed", local(11, 8), local(11, 15), 120)
    done(w.member_v2a, w.v2a, "verified", local(11, 8), local(12, 9), 30, reviewed=local(12, 10))
    done(w.member_v1b, w.v1b, "rejected", local(11, 8), local(11, 9), 50, reviewed=local(11, 10))
    done(w.member_v1a_2, w.v1a, "completed", datetime(2025, 3, 5, 9, tzinfo=local(10, 0).tzinfo),
         local(10, 9), 7)
    return work


def report(client, team, **params):
    response = client.get(f"/api/v1/teams/{team.pk}/report/", {**WEEK, **params}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200, response.content[:500]
    return response


def channel_row(ch, posts_n, on_target):
    return {"channel": {"id": ch.pk, "name": ch.name, "platform": ch.platform}, "posts": posts_n, "days": 7,
            "target_per_day": ch.posts_per_day_target, "days_on_target": on_target,
            "on_target_rate": round(on_target / 7, 4)}


# JSON ------------------------------------------------------------------------------------------

def test_channels_and_quantities_in_the_json_report(posts, client_for):
    w = posts.world
    client = client_for(w.coord_district)
    data = report(client, w.district).json()
    assert data["channels"] == [channel_row(posts.ch_c1, 3, 1), channel_row(posts.ch_v2a, 4, 1)]
    assert data["channels"][0]["on_target_rate"] == 0.1429
    # The same numbers as stats/channels/ for since/until = the week.
    same = client.get(f"/api/v1/teams/{w.district.pk}/stats/channels/",
                      {"since": "2025-03-10", "until": "2025-03-16"}).json()["results"]
    assert same == data["channels"]

    assert data["stats"]["quantity"] == 150
    assert data["stats"]["quantity"] == client.get(f"/api/v1/teams/{w.district.pk}/stats/",
                                                   {"since": "2025-03-10", "until": "2025-03-16"}).json()["quantity"]
    assert {row["team"]["name"]: row["quantity"] for row in data["children"]} == {"Tâm Thắng": 120, "Nam Dong": 30}
    quantity_by_day = {row["date"]: row["quantity"] for row in data["daily"] if row["quantity"]}
    assert quantity_by_day == {"2025-03-10": 7, "2025-03-11": 120, "2025-03-12": 30}


def test_only_the_subtrees_channels(posts, client_for):
    w = posts.world
    # The commune sees its own channel, not its sibling commune's village channel nor the other district's.
    commune = report(client_for(w.coord_c1), w.c1).json()
    assert [row["channel"]["name"] for row in commune["channels"]] == [C1_CHANNEL]
    sibling = report(client_for(w.coord_c2), w.c2).json()
    assert [row["channel"]["name"] for row in sibling["channels"]] == [V2A_CHANNEL]
    district = report(client_for(w.coord_district), w.district).json()
    assert OTHER_CHANNEL not in [row["channel"]["name"] for row in district["channels"]]
    # A subtree without channels has the section, empty; an inactive channel's past posts still count.
    assert report(client_for(w.coord_v1a), w.v1a).json()["channels"] == []
    Channel.objects.filter(pk=posts.ch_c1.pk).update(is_active=False)
    assert report(client_for(w.coord_c1), w.c1).json()["channels"][0]["posts"] == 3


def test_the_channels_cost_two_queries_whatever_their_number(posts, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = posts.world
    client = client_for(w.coord_c2)

    def queries(team):
        with CaptureQueriesContext(connection) as captured:
            report(client, team)
        return len(captured), [q["sql"] for q in captured if '"publishing_channel' in q["sql"]]

    total, channel_queries = queries(w.c2)
    assert len(channel_queries) == 2, channel_queries  # the subtree's channels, then their posts per channel
    for i in range(4):
        ch = publishing.channel_create(actor=w.coord_c2, team=w.c2, platform="tiktok", kind="page",
                                       name=f"Kênh thêm {i}", url=f"https://tiktok.com/@them{i}")
        publishing.channel_post_create(channel=ch, actor=w.coord_c2, url=f"{ch.url}/1", published_at=local(12, 9))
    more_total, more_channel_queries = queries(w.c2)
    assert (more_total, len(more_channel_queries)) == (total, 2)
    assert len(report(client, w.c2).json()["channels"]) == 5
    # Without a channel there is nothing to sum: the list's query only.
    client = client_for(w.coord_district)
    assert len(queries(w.v1a)[1]) == 1


# XLSX ------------------------------------------------------------------------------------------

def test_xlsx_channel_sheet_and_quantities_typed(posts, client_for):
    w = posts.world
    book = load_workbook(io.BytesIO(report(client_for(w.coord_district), w.district, format="xlsx").content))
    assert book.sheetnames == ["Tổng hợp", "Đội cấp dưới", "Chiến dịch", "Kênh", "Khảo sát", "Tham gia", "Theo ngày"]
    sheet = book["Kênh"]
    assert [c.value for c in sheet[4]] == ["Kênh", "Nền tảng", "Bài đăng", "Số ngày", "Chỉ tiêu mỗi ngày",
                                           "Số ngày đạt chỉ tiêu", "Tỉ lệ đạt chỉ tiêu"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert rows == [[C1_CHANNEL, "Facebook", 3, 7, 2, 1, 0.1429], [V2A_CHANNEL, "Zalo", 4, 7, 3, 1, 0.1429]]
    for cell in sheet[5][2:6]:
        assert cell.data_type == "n" and type(cell.value) is int
    assert sheet["G5"].number_format == "0.0%"
    assert sheet.column_dimensions["A"].width >= len(C1_CHANNEL)
    # Printed one page wide (LibreOffice put the last two columns on a page of their own before).
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)

    summary = {row[0].value: row[1] for row in book["Tổng hợp"].iter_rows(min_row=5)}
    quantity = summary["Số lượng ngoại tuyến"]
    assert quantity.value == 150 and quantity.data_type == "n"
    daily = book["Theo ngày"]
    assert daily["E4"].value == "Số lượng ngoại tuyến"
    assert daily["A6"].is_date and daily["A6"].value == datetime(2025, 3, 11)
    assert [daily[f"E{r}"].value for r in range(5, 12)] == [7, 120, 30, 0, 0, 0, 0]


# PDF -------------------------------------------------------------------------------------------

needs_fonts = pytest.mark.skipif(not shutil.which("fc-list"), reason="no fontconfig: WeasyPrint has no fonts")

# The chart's bar colours (reports.documents.daily_chart_svg), as a PDF fill operator writes them.
CREATED_RGB, HANDED_IN_RGB = (0x9d, 0xb4, 0xd6), (0x2e, 0x6b, 0x3a)


def pdf_of(client, team, **params):
    response = report(client, team, format="pdf", **params)
    assert response["Content-Type"] == "application/pdf"
    return response.content


@needs_fonts
def test_pdf_holds_the_channels_and_the_quantity(posts, client_for):
    from pypdf import PdfReader

    w = posts.world
    reader = PdfReader(io.BytesIO(pdf_of(client_for(w.coord_district), w.district)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("Kênh", C1_CHANNEL, V2A_CHANNEL, "Tỉ lệ đạt chỉ tiêu", "14.3%", "Số lượng ngoại tuyến", "150"):
        assert words in text, words
    assert OTHER_CHANNEL not in text


def _bars(pdf: bytes) -> dict[tuple, list[tuple[float, float]]]:
    """The (x, height) of every rectangle page 1 fills in each of the chart's colours, read from
    its content stream, where WeasyPrint draws the inline SVG (a zero is not drawn). The legend's
    two squares have those colours too: they are the ones as high as they are wide."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    colour, rects, painted = None, [], {}
    for operands, operator in page.get_contents().operations:
        if operator == b"rg":
            colour = tuple(round(float(v) * 255) for v in operands)
        elif operator == b"re":
            rects.append([float(v) for v in operands])
        elif operator in (b"f", b"F", b"f*", b"B", b"B*", b"n"):
            if operator != b"n" and colour in (CREATED_RGB, HANDED_IN_RGB):
                for x, _y, width, height in rects:
                    if abs(width - height) > 0.5:  # not a legend square
                        painted.setdefault(colour, []).append((x, height))
            rects = []
    return {key: sorted(set(bars)) for key, bars in painted.items()}


@needs_fonts
def test_pdf_chart_draws_the_daily_series(posts, client_for):
    w = posts.world
    client = client_for(w.coord_district)
    bars = _bars(pdf_of(client, w.district))
    # Created 4, 6, 4 and handed in 2, 5, 3 on 10, 11 and 12 March (the work of conftest.py and the
    # offline work above); nothing on the four days after: three bars of each colour, left to right,
    # as high as their numbers (the highest, 6, is the chart's full height).
    created, handed_in = bars.get(CREATED_RGB, []), bars.get(HANDED_IN_RGB, [])
    assert len(created) == 3 and len(handed_in) == 3, bars
    full = max(h for _x, h in created)
    assert [round(h / full * 6, 2) for _x, h in created] == [4, 6, 4]
    assert [round(h / full * 6, 2) for _x, h in handed_in] == [2, 5, 3]
    # Each handed-in bar stands right of the created bar of its day, in the first three sevenths.
    step = created[1][0] - created[0][0]
    assert all(c[0] < h[0] < c[0] + step for c, h in zip(created, handed_in))
    # A week without work draws no bar at all.
    assert _bars(pdf_of(client, w.district, date="2025-06-11")) == {}


pdftoppm = shutil.which("pdftoppm")


def _chart_pixels(pdf: bytes, tmp_path) -> tuple[int, int]:
    """Page 1 rendered at 60 dpi: how many pixels, in the top third where the chart sits under
    the title, have the colour of the created and of the handed-in bars."""
    from PIL import Image

    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run([pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True, timeout=60)
    image = Image.open(tmp_path / "page.png").convert("RGB")
    top = image.crop((0, 0, image.width, image.height // 3))

    def near(pixel, rgb):
        return all(abs(a - b) <= 24 for a, b in zip(pixel, rgb))

    data = top.tobytes()
    pixels = [tuple(data[i:i + 3]) for i in range(0, len(data), 3)]
    return sum(near(p, CREATED_RGB) for p in pixels), sum(near(p, HANDED_IN_RGB) for p in pixels)


@needs_fonts
@pytest.mark.skipif(not pdftoppm, reason="pdftoppm (Debian's poppler-utils) is not installed: the chart is "
                                         "checked in the PDF's content stream only (test above)")
def test_pdf_chart_is_visible_when_rendered(posts, client_for, tmp_path):
    w = posts.world
    client = client_for(w.coord_district)
    created, handed_in = _chart_pixels(pdf_of(client, w.district), tmp_path)
    # Three bars of each colour about 40 pixels wide and 30 to 120 high at 60 dpi (about 6,000 and
    # 4,000 pixels here); each legend square is about 50.
    assert created > 2000 and handed_in > 2000, (created, handed_in)
    # A week without work draws no bars: only the legend's two small squares keep those colours.
    quiet_created, quiet_handed_in = _chart_pixels(pdf_of(client, w.district, date="2025-06-11"), tmp_path)
    assert quiet_created < 200 and quiet_handed_in < 200, (quiet_created, quiet_handed_in)
