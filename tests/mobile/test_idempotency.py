"""Idempotency-Key on POST: replay, 422 for another body, 409 while running, expiry and pruning;
the answer commits with the effect (crashes before and after the commit), anonymous POSTs."""
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from api.idempotency import prune_idempotency_keys
from api.models import IdempotencyKey
from teams import services as team_services
from teams.models import Team
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/teams/"


def create_team(client, name="Thôn Mới", parent=None, key="key-1", **extra):
    body = {"name": name, "level": "village", "parent": parent}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(TEAMS, body, format="json", **headers, **extra)


def test_a_retry_gets_the_first_response_and_has_no_second_effect(world, client_for):
    client = client_for(world.coord_c1)
    first = create_team(client, parent=world.c1.pk)
    assert first.status_code == 201
    before = Team.objects.count()
    retry = create_team(client, parent=world.c1.pk)
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Team.objects.count() == before
    assert Team.objects.filter(name="Thôn Mới").count() == 1


def test_same_key_with_another_body_is_422_and_changes_nothing(world, client_for):
    client = client_for(world.coord_c1)
    create_team(client, parent=world.c1.pk)
    response = create_team(client, name="Thôn Khác", parent=world.c1.pk)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Team.objects.filter(name="Thôn Khác").exists()
    # the same key on another path is another request too
    assert client.post(f"/api/v1/teams/{world.c1.pk}/", {}, HTTP_IDEMPOTENCY_KEY="key-1").status_code == 422


def test_the_error_is_in_the_callers_language(world, client_for):
    client = client_for(world.coord_c1)
    create_team(client, parent=world.c1.pk)
    vi = create_team(client, name="B", parent=world.c1.pk).json()["detail"]
    en = create_team(client, name="B", parent=world.c1.pk, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert vi == "Idempotency-Key này đã được dùng cho một yêu cầu khác."
    assert en == "This Idempotency-Key was already used for a different request."


def test_keys_belong_to_one_member(world, client_for):
    assert create_team(client_for(world.coord_c1), name="A", parent=world.c1.pk).status_code == 201
    # another coordinator using the same key string gets their own, separate effect
    assert create_team(client_for(world.coord_c2), name="B", parent=world.c2.pk).status_code == 201
    assert set(Team.objects.filter(name__in=["A", "B"]).values_list("name", flat=True)) == {"A", "B"}


def test_without_a_key_every_post_has_its_effect(world, client_for):
    client = client_for(world.coord_c1)
    create_team(client, parent=world.c1.pk, key=None)
    create_team(client, parent=world.c1.pk, key=None)
    assert Team.objects.filter(name="Thôn Mới").count() == 2
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.parametrize("key", ["has space", "x" * 256, "", "khóa"])
def test_a_malformed_key_is_400(world, client_for, key):
    response = client_for(world.coord_c1).post(TEAMS, {"name": "A", "level": "village", "parent": world.c1.pk},
                                               format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Team.objects.filter(name="A").exists()


def test_a_4xx_first_response_is_replayed_too(world, client_for):
    client = client_for(world.member_v1a)  # may not create teams
    first = create_team(client, parent=world.v1a.pk)
    assert first.status_code == 403
    retry = create_team(client, parent=world.v1a.pk)
    assert (retry.status_code, retry.json(), retry["Idempotent-Replayed"]) == (403, first.json(), "true")


def test_a_server_error_frees_the_key_for_a_retry(world, client_for, monkeypatch):
    client = client_for(world.coord_c1)
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(team_services, "team_create", broken)
    assert create_team(client, parent=world.c1.pk).status_code == 500
    assert IdempotencyKey.objects.count() == 0
    monkeypatch.undo()
    assert create_team(client, parent=world.c1.pk).status_code == 201


def test_a_duplicate_arriving_while_the_first_runs_is_409(world, client_for, monkeypatch):
    client = client_for(world.coord_c1)
    real = team_services.team_create
    inner = {}

    def slow_create(**kwargs):
        # the phone retries while the server is still working on the first attempt
        inner["response"] = create_team(client_for(world.coord_c1), parent=world.c1.pk)
        return real(**kwargs)

    monkeypatch.setattr(team_services, "team_create", slow_create)
    assert create_team(client, parent=world.c1.pk).status_code == 201
    assert inner["response"].status_code == 409
    assert inner["response"].json()["code"] == "idempotency_key_in_progress"
    assert inner["response"]["Retry-After"] == "1"
    assert Team.objects.filter(name="Thôn Mới").count() == 1


def test_a_crash_between_commit_and_answer_replays_the_first_answer(world, client_for, monkeypatch):
    from api.idempotency import IdempotencyMiddleware

    client = client_for(world.coord_c1)
    client.raise_request_exception = False
    real_call = IdempotencyMiddleware.__call__
    answers = []

    def commit_then_die(self, request):
        answers.append(real_call(self, request))  # the effect and its answer committed here
        raise ConnectionResetError("the worker died before the answer left")

    monkeypatch.setattr(IdempotencyMiddleware, "__call__", commit_then_die)
    lost = create_team(client, parent=world.c1.pk)
    assert lost.status_code == 500 and answers[0].status_code == 201  # the phone never saw the 201
    monkeypatch.undo()
    retry = create_team(client, parent=world.c1.pk)
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == json.loads(answers[0].content)
    assert Team.objects.filter(name="Thôn Mới").count() == 1


class WorkerKilled(BaseException):
    """What a worker's death looks like from inside the request: nothing after it runs."""


def test_a_request_that_dies_before_committing_leaves_no_effect_and_frees_its_key_at_once(
        world, client_for, monkeypatch):
    client = client_for(world.coord_c1)
    real = team_services.team_create

    def create_then_die(**kwargs):
        real(**kwargs)
        raise WorkerKilled()

    monkeypatch.setattr(team_services, "team_create", create_then_die)
    with pytest.raises(WorkerKilled):
        create_team(client, parent=world.c1.pk)
    assert not Team.objects.filter(name="Thôn Mới").exists()
    assert IdempotencyKey.objects.count() == 0
    monkeypatch.undo()
    # no five-minute wait and no 409: the key is free as soon as the attempt rolled back
    retry = create_team(client, parent=world.c1.pk)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert Team.objects.filter(name="Thôn Mới").count() == 1


def test_a_server_error_after_the_effect_rolls_the_effect_back_with_the_key(world, client_for, monkeypatch):
    client = client_for(world.coord_c1)
    client.raise_request_exception = False
    real = team_services.team_create

    def create_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("failed after writing")

    monkeypatch.setattr(team_services, "team_create", create_then_fail)
    assert create_team(client, parent=world.c1.pk).status_code == 500
    assert not Team.objects.filter(name="Thôn Mới").exists()
    monkeypatch.undo()
    assert create_team(client, parent=world.c1.pk).status_code == 201
    assert create_team(client, parent=world.c1.pk)["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(name="Thôn Mới").count() == 1


def test_a_retried_refresh_gets_the_first_answer_and_the_session_survives(world):
    client = APIClient()
    tokens = client.post("/api/v1/auth/token/", {"phone": world.coord_c1.phone, "password": PASSWORD},
                         format="json").json()
    body = {"refresh": tokens["refresh"]}
    first = client.post("/api/v1/auth/token/refresh/", body, format="json", HTTP_IDEMPOTENCY_KEY="refresh-1")
    assert first.status_code == 200
    # the answer was lost on a bad network; the phone retries with the same key and body
    retry = client.post("/api/v1/auth/token/refresh/", body, format="json", HTTP_IDEMPOTENCY_KEY="refresh-1")
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    # without the key the rotated token is refused: the replay is what kept the session
    assert client.post("/api/v1/auth/token/refresh/", body, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {retry.json()['access']}")
    assert client.get("/api/v1/me/").status_code == 200


def test_an_anonymous_replay_needs_the_same_body_and_client(world):
    login = {"phone": world.coord_c1.phone, "password": PASSWORD}
    first = APIClient().post("/api/v1/auth/token/", login, format="json", HTTP_IDEMPOTENCY_KEY="login-1")
    assert first.status_code == 200
    # someone else (another address) with the same key gets no tokens out of it
    other = APIClient().post("/api/v1/auth/token/", {**login, "password": "wrong-guess-1"}, format="json",
                             HTTP_IDEMPOTENCY_KEY="login-1", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 401 and "Idempotent-Replayed" not in other
    elsewhere = APIClient().post("/api/v1/auth/token/", login, format="json", HTTP_IDEMPOTENCY_KEY="login-1",
                                 REMOTE_ADDR="10.9.9.9")
    assert "Idempotent-Replayed" not in elsewhere
    same = APIClient().post("/api/v1/auth/token/", login, format="json", HTTP_IDEMPOTENCY_KEY="login-1")
    assert same["Idempotent-Replayed"] == "true" and same.json() == first.json()
    assert not IdempotencyKey.objects.filter(member__isnull=False).exists()


def test_replayed_for_24_hours_then_pruned(world, client_for):
    client = client_for(world.coord_c1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        create_team(client, parent=world.c1.pk)
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert create_team(client, parent=world.c1.pk)["Idempotent-Replayed"] == "true"
        assert prune_idempotency_keys() == 0
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        from api.tasks import prune_idempotency_keys as prune_task

        assert prune_task.delay().get() == 1
    assert IdempotencyKey.objects.count() == 0


def test_an_expired_key_is_a_new_request(world, client_for):
    client = client_for(world.coord_c1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        create_team(client, name="Một", parent=world.c1.pk)
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        response = create_team(client, name="Hai", parent=world.c1.pk)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_multipart_retries_match_whatever_the_boundary(world, client_for):
    client = client_for(world.coord_c1)

    def multipart(boundary):
        parts = [("name", "Thôn Ảnh"), ("level", "village"), ("parent", str(world.c1.pk))]
        body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                       for k, v in parts) + f"--{boundary}--\r\n"
        return client.generic("POST", TEAMS, body.encode(), content_type=f"multipart/form-data; boundary={boundary}",
                               HTTP_IDEMPOTENCY_KEY="upload-1")

    assert multipart("----a1b2c3").status_code == 201
    retry = multipart("----zz9988")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(name="Thôn Ảnh").count() == 1


def test_works_with_a_real_bearer_token(world):
    client = APIClient()
    access = client.post("/api/v1/auth/token/", {"phone": world.coord_c1.phone, "password": PASSWORD},
                         format="json", HTTP_IDEMPOTENCY_KEY="login-1").json()["access"]
    assert IdempotencyKey.objects.get().member is None  # logging in is keyed by client and body
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert create_team(client, parent=world.c1.pk).status_code == 201
    assert create_team(client, parent=world.c1.pk)["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get(member__isnull=False).member == world.coord_c1
    # a bad token is DRF's 401, not keyed
    client.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert create_team(client, parent=world.c1.pk, key="other").status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_object_on_postgresql(world, run_together, monkeypatch):
    import time

    real = team_services.team_create

    def slow_create(**kwargs):
        time.sleep(0.5)  # long enough for the duplicate to arrive while this one runs
        return real(**kwargs)

    monkeypatch.setattr(team_services, "team_create", slow_create)

    def attempt():
        client = APIClient()
        client.force_authenticate(world.coord_c1)
        return create_team(client, parent=world.c1.pk, key="tap-twice")

    first, second = run_together(attempt, attempt)
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    assert Team.objects.filter(name="Thôn Mới").count() == 1
    later = attempt()
    assert later.status_code == 201 and later["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(name="Thôn Mới").count() == 1
