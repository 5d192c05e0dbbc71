"""REGISTRY_INSTANCE_PATH is the one instance folder of every entry point: the README's commands,
followed literally with it set (from another working directory), create, serve and back up that
instance; evidence uploaded through the site lands in it; the Docker image points it at its volume."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from click.testing import CliRunner

from registry.app import create_app
from registry.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_readme_commands_with_instance_path_serve_that_instance(tmp_path, monkeypatch):
    instance, elsewhere = tmp_path / "county-instance", tmp_path / "elsewhere"
    instance.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    for key in ("REGISTRY_DATABASE_URL", "REGISTRY_SECRET_KEY", "REGISTRY_PRODUCTION"):
        monkeypatch.delenv(key, raising=False)
    env = {"REGISTRY_INSTANCE_PATH": str(instance), "REGISTRY_ARGON2_TIME_COST": "1",
           "REGISTRY_ARGON2_MEMORY_KIB": "1024"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert (instance / "registry.sqlite3").exists()
    added = runner.invoke(main, ["user", "add", "admin1", "--role", "admin", "--password", "Admin-pass-2026"])
    assert added.exit_code == 0, added.output
    token = runner.invoke(main, ["token", "create", "admin1"]).output.strip().splitlines()[-1]

    app = create_app()  # what gunicorn and `registry serve` call: no overrides, the environment only
    assert Path(app.instance_path) == instance
    client = app.test_client()
    auth = {"Authorization": token}
    made = client.post("/api/3/action/unit_create", json={"code": "yymzj", "name": "民政局"}, headers=auth)
    assert made.status_code == 200, made.get_data(as_text=True)
    system = client.post("/api/3/action/system_create", json={"unit": "yymzj", "name": "社会救助系统"}, headers=auth)
    assert system.status_code == 200, system.get_data(as_text=True)
    upload = {"kind": "completion_acceptance", "system": str(system.get_json()["result"]["id"]), "reference": "云大数据验〔2026〕1号",
              "issued_on": "2026-05-20", "upload": (io.BytesIO(b"%PDF-1.4\n" + b"x" * 2000), "验收报告.pdf")}
    stored = client.post("/api/3/action/evidence_create", data=upload, headers=auth,
                         content_type="multipart/form-data")
    assert stored.status_code == 200, stored.get_data(as_text=True)
    assert [p.name for p in (instance / "evidence").iterdir()], "the uploaded file is in the instance folder"
    assert not (elsewhere / "instance").exists()
    app.extensions["registry"].db.dispose()

    archive = tmp_path / "backup.zip"
    done = runner.invoke(main, ["backup", "--out", str(archive)])
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["files"] == 1
    assert manifest["tables"]["unit"] == 1 and manifest["tables"]["funding_evidence"] == 1


def test_without_instance_path_the_cli_and_the_app_share_the_working_directory_instance(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for key in ("REGISTRY_INSTANCE_PATH", "REGISTRY_DATABASE_URL", "REGISTRY_PRODUCTION"):
        monkeypatch.delenv(key, raising=False)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    app = create_app()
    assert Path(app.instance_path) == tmp_path / "instance"
    assert app.test_client().get("/api/3/action/package_search").status_code == 200
    app.extensions["registry"].db.dispose()


def test_docker_image_keeps_the_instance_in_its_volume():
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "docker-compose.yml").read_text()
    image_path = re.search(r"REGISTRY_INSTANCE_PATH=(\S+)", dockerfile)
    assert image_path, "the image names its instance folder"
    folder = image_path.group(1)
    assert f"registry-files:{folder}" in compose
    assert f"chown registry {folder}" in dockerfile
