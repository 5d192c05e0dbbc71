def test_status_show_answers_in_ckan_envelope(client):
    body = client.get("/api/3/action/status_show").get_json()
    assert body["success"] is True
    assert "site_title" in body["result"]
    assert body["help"].endswith("help_show?name=status_show")
