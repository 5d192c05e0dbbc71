"""The real ckanapi CLI round-trips the demo county: `dump datasets --all` with an API token gives
every dataset with a string id, and `load datasets` of that dump updates each dataset with itself:
nothing changes. Without a token the dump is the public catalog: the datasets open to the public."""
from __future__ import annotations

import json
import subprocess

from tests.test_ckanapi_client import CKANAPI, CLI_ENV


def _dump(live_url: str, path, token: str | None = None) -> list[dict]:
    run = subprocess.run([*CKANAPI, "dump", "datasets", "--all", "-O", str(path), "-r", live_url, "-q",
                          *(["-a", token] if token else [])],
                         capture_output=True, text=True, timeout=300, env=CLI_ENV)
    assert run.returncode == 0, run.stderr
    return sorted((json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()),
                  key=lambda d: d["id"])


def test_ckanapi_dump_and_load_round_trip_the_demo_county_with_string_ids(demo_loaded, live_url, make, tmp_path):
    token = make.token(make.user("admin"))
    before = _dump(live_url, tmp_path / "before.jsonl", token)
    assert len(before) == 161
    for dataset in before:
        assert isinstance(dataset["id"], str) and isinstance(dataset["owner_org"], str)
        assert all(isinstance(g["id"], str) for g in dataset["groups"])
        assert all(isinstance(i["id"], str) and isinstance(i["resource_id"], str) for i in dataset["items"])
    audit_rows = len(make.act("audit_log_list", {"limit": 1000}))
    log = tmp_path / "load.log"
    run = subprocess.run([*CKANAPI, "load", "datasets", "-I", str(tmp_path / "before.jsonl"), "-r", live_url,
                          "-a", token, "-q", "-l", str(log)], capture_output=True, text=True, timeout=600, env=CLI_ENV)
    assert run.returncode == 0, run.stderr
    replies = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]   # [at, n, action, error, …]
    assert len(replies) == 161 and {(r[2], r[3]) for r in replies} == {("update", None)}, replies[:3]

    after = _dump(live_url, tmp_path / "after.jsonl", token)
    assert after == before, "loading a dump back changes nothing"
    assert len(make.act("audit_log_list", {"limit": 1000})) == audit_rows


def test_an_anonymous_ckanapi_dump_gets_only_the_datasets_open_to_the_public(demo_loaded, live_url, make, tmp_path):
    public = _dump(live_url, tmp_path / "public.jsonl")
    everything = _dump(live_url, tmp_path / "all.jsonl", make.token(make.user("reviewer")))
    assert len(public) == 51 and all(d["open_to_public"] for d in public)
    assert public == [d for d in everything if d["open_to_public"]]


def test_an_id_from_the_api_is_accepted_wherever_an_id_or_name_is(client, make):
    unit = make.unit()
    package = make.package(make.system(unit), open_to_public=True)
    token = make.token(make.user("department", unit))
    shown = client.post("/api/3/action/package_show", json={"id": package["name"]}).get_json()["result"]
    assert shown["id"] == str(package["id"])
    by_id = client.post("/api/3/action/package_show", json={"id": shown["id"]}).get_json()["result"]
    assert by_id == shown
    patched = client.post("/api/3/action/item_patch", json={"id": shown["items"][0]["id"], "data_length": 7},
                          headers={"Authorization": token}).get_json()
    assert patched["success"] and patched["result"]["resource_id"] == shown["id"]
    org = client.post("/api/3/action/organization_show", json={"id": shown["owner_org"]}).get_json()["result"]
    assert org["id"] == shown["owner_org"] and org["name"] == shown["organization"]["name"]
