def test_status_show_answers_in_ckan_envelope(client):
    body = client.get("/api/3/action/status_show").get_json()
    assert body["success"] is True
    assert "site_title" in body["result"]
    assert body["help"].endswith("help_show?name=status_show")


def test_health_and_readiness_probes(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["database"] == "ok"
