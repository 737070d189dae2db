def test_healthz_answers_with_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_login_with_either_phone_spelling_then_list_teams(client, world):
    from tests.factories import PASSWORD

    for spelling in [world.coord_c1.phone, "0" + world.coord_c1.phone[3:]]:
        response = client.post("/api/v1/auth/token/", {"phone": spelling, "password": PASSWORD},
                               content_type="application/json")
        assert response.status_code == 200, response.content
    access = response.json()["access"]
    response = client.get("/api/v1/teams/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 200
    names = {t["name"] for t in response.json()["results"]}
    assert names == {"Tâm Thắng", "Thôn 1", "Thôn 2"}
