"""Configuration: typed, validated at start-up, and matching docker-compose."""
from pathlib import Path

import pytest
import yaml

from registry.core.config import Settings, env_keys

ROOT = Path(__file__).resolve().parent.parent


def test_docker_compose_parses_and_app_environment_uses_only_known_keys():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"app", "db", "search"}
    app_env = set(compose["services"]["app"]["environment"])
    unknown = {k for k in app_env if k.startswith("REGISTRY_")} - env_keys()
    assert not unknown, f"docker-compose sets keys the app never reads: {unknown}"
    assert {"REGISTRY_DATABASE_URL", "REGISTRY_SECRET_KEY", "REGISTRY_ES_URL"} <= app_env
    for service in compose["services"].values():
        assert "healthcheck" in service


def test_defaults_are_the_countys_policy_numbers():
    policy = Settings.from_env({}).policy
    assert policy.project_list_threshold_yuan == 500_000
    assert policy.bureau_acceptance_threshold_yuan == 5_000_000
    assert policy.adjustment_max_ratio == 0.15
    assert policy.deadline_for(2026).isoformat() == "2026-09-30"


def test_policy_numbers_come_from_the_environment():
    settings = Settings.from_env({"REGISTRY_POLICY_PROJECT_LIST_THRESHOLD_YUAN": "300000",
                                  "REGISTRY_POLICY_DISABLED_RULES": "art30_integration, art29_security",
                                  "REGISTRY_MAX_UPLOAD_MB": "10"})
    assert settings.policy.project_list_threshold_yuan == 300_000
    assert settings.policy.disabled_rules == ("art30_integration", "art29_security")
    assert settings.max_upload_mb == 10


@pytest.mark.parametrize("env, fragment", [
    ({"REGISTRY_POLICY_ADJUSTMENT_MAX_RATIO": "1.5"}, "adjustment_max_ratio"),
    ({"REGISTRY_POLICY_PROJECT_LIST_THRESHOLD_YUAN": "五十万"}, "REGISTRY_POLICY_PROJECT_LIST_THRESHOLD_YUAN"),
    ({"REGISTRY_POLICY_PROJECT_LIST_DEADLINE_MONTH_DAY": "09-31"}, "MM-DD"),
    ({"REGISTRY_SEARCH_BACKEND": "elasticsearch"}, "REGISTRY_ES_URL"),
    ({"REGISTRY_SEARCH_BACKEND": "opensearch"}, "REGISTRY_ES_URL"),
    ({"REGISTRY_SEARCH_BACKEND": "auto"}, "REGISTRY_ES_URL"),
    ({"REGISTRY_SEARCH_BACKEND": "solr", "REGISTRY_ES_URL": "http://x:1"}, "opensearch, elasticsearch or auto"),
    ({"REGISTRY_ES_TIMEOUT_SECONDS": "ten"}, "REGISTRY_ES_TIMEOUT_SECONDS"),
    ({"REGISTRY_PRODUCTION": "true"}, "REGISTRY_SECRET_KEY"),
    ({"REGISTRY_PRODUCTION": "maybe"}, "REGISTRY_PRODUCTION"),
])
def test_bad_configuration_fails_at_start_up(env, fragment):
    with pytest.raises(ValueError) as caught:
        Settings.from_env(env)
    assert fragment in str(caught.value)
