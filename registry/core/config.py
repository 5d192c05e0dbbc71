"""Configuration: every setting from the environment (REGISTRY_*), typed, with the county's defaults.

Policy numbers (thresholds, deadlines) live here, not in the rules, because another county has
its own; they are validated at start-up so a typo fails loudly instead of deciding funding wrongly.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV_PREFIX = "REGISTRY_"


@dataclass(frozen=True)
class Policy:
    """The measures' numbers (云阳府办规〔2022〕4号); each names the article it comes from."""

    project_list_threshold_yuan: int = 500_000          # Art. 7
    project_list_deadline_month_day: str = "09-30"      # Art. 7
    bureau_acceptance_threshold_yuan: int = 5_000_000   # Art. 25
    acceptance_due_months: int = 6                      # Art. 25
    adjustment_max_ratio: float = 0.15                  # Art. 24
    self_evaluation_from_months: int = 12               # Art. 27
    self_evaluation_to_months: int = 24                 # Art. 27
    blacklist_years: int = 5                            # Art. 35
    performance_report_month_day: str = "12-31"         # Art. 21 (每年年底前)
    due_upcoming_days: int = 60                         # Art. 21–27: how far ahead "upcoming" looks
    disabled_rules: tuple[str, ...] = ()                # funding rules switched off by the county
    # Opt-in county rule, not in the measures: a system admitted to the master directory after the
    # Art. 7 project-list deadline of Y-1 gets no O&M funding in budget year Y (filed under Art. 7)
    directory_admission_deadline: bool = False
    evaluation_must_cover_year: bool = False            # Art. 29: 等保/密评 valid all budget year (else on 1 Jan)
    sharing_unconditional_review: str = "bureau"        # Art. 14, 28: 无条件共享 requests: "bureau" check or "auto"
    sharing_unconditional_days: int = 5                 # Art. 28: working days for the Bureau's conformity check
    sharing_conditional_days: int = 10                  # Art. 28: provider answers within N working days (国发〔2016〕51号)
    sharing_objection_days: int = 5                     # Art. 14: working days to answer a 数据校核 objection
    sharing_feedback_months: int = 12                   # Art. 14: usage feedback (使用情况反馈) period
    sharing_evidence_years: int = 1                     # Art. 28: evidence window = budget year and N years before
    sharing_holidays: tuple[str, ...] = ()              # calendar override: YYYY-MM-DD days off
    sharing_workdays: tuple[str, ...] = ()              # calendar override: YYYY-MM-DD working days (调休)
    sharing_calendar_file: str = ""                     # calendar override file: "YYYY-MM-DD holiday|workday" lines

    def deadline_for(self, year: int) -> date:
        month, day = (int(p) for p in self.project_list_deadline_month_day.split("-"))
        return date(year, month, day)


@dataclass(frozen=True)
class Settings:
    database_url: str = ""               # empty: SQLite under the instance folder
    secret_key: str = ""                 # empty: generated per instance (development only)
    instance_path: str = ""
    timezone: str = "Asia/Shanghai"      # the county's day: deadlines, "today", budget years
    search_backend: str = "embedded"     # embedded | opensearch | elasticsearch | auto (detected from GET /)
    es_url: str = ""                     # the engine's URL (OpenSearch or Elasticsearch)
    es_index_prefix: str = "registry"
    es_word_analyzer: str = "cjk"        # cjk (built in) | smartcn | ik (plugins installed on every node)
    es_refresh_interval: str = ""        # e.g. 1s (empty: the engine's default); a write waits up to this long
    es_timeout_seconds: float = 10       # per request to the engine (one retry); then the user is told
    max_upload_mb: int = 20
    site_title: str = "云阳县政务信息资源目录与共享登记系统"
    site_url: str = "http://127.0.0.1:5000"
    production: bool = False
    log_json: bool = False
    search_catch_up_on_start: bool = True  # Elasticsearch: replay search_outbox when the app starts
    proxy_count: int = 0                 # trusted reverse proxies in front (nginx: 1) for client IP and https
    login_attempts_per_ip: int = 20      # failed logins per client IP per window before refusing
    login_window_seconds: int = 300
    login_free_failures: int = 5         # failed logins per account name and address before back-off
    login_backoff_seconds: int = 30      # first back-off; doubles with each further failure
    login_backoff_max_seconds: int = 900  # longest back-off
    db_pool_size: int = 10               # PostgreSQL connections per worker process (≥ gunicorn threads)
    db_max_overflow: int = 10
    argon2_time_cost: int = 3            # password hashing cost (argon2id); tests lower it
    argon2_memory_kib: int = 65536
    smtp_host: str = ""                  # empty: no e-mail, in-app notifications only
    smtp_port: int = 25
    smtp_from: str = ""
    policy: Policy = field(default_factory=Policy)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            if f.name == "policy":
                continue
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _coerce(f.type, raw, ENV_PREFIX + f.name.upper())
        policy_values: dict = {}
        for f in fields(Policy):
            raw = env.get(ENV_PREFIX + "POLICY_" + f.name.upper())
            if raw is not None:
                policy_values[f.name] = _coerce(f.type, raw, ENV_PREFIX + "POLICY_" + f.name.upper())
        values["policy"] = Policy(**policy_values)
        values.update(overrides)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        p = self.policy
        problems = []
        if p.project_list_threshold_yuan <= 0 or p.bureau_acceptance_threshold_yuan <= 0:
            problems.append("thresholds must be positive")
        if not 0 < p.adjustment_max_ratio < 1:
            problems.append("adjustment_max_ratio must be between 0 and 1")
        if not 0 < p.self_evaluation_from_months <= p.self_evaluation_to_months:
            problems.append("self-evaluation window is empty")
        try:
            p.deadline_for(2000)
        except ValueError:
            problems.append("project_list_deadline_month_day must be MM-DD")
        if self.search_backend not in ("embedded", "elasticsearch", "opensearch", "auto"):
            problems.append("search_backend must be embedded, opensearch, elasticsearch or auto")
        if self.search_backend != "embedded" and not self.es_url:
            problems.append(f"search_backend {self.search_backend} needs REGISTRY_ES_URL")
        if self.production and not self.secret_key:
            problems.append("REGISTRY_SECRET_KEY is required in production")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"unknown timezone {self.timezone!r}")
        if self.login_free_failures < 1 or not 0 < self.login_backoff_seconds <= self.login_backoff_max_seconds:
            problems.append("login_free_failures must be ≥ 1 and 0 < login_backoff_seconds ≤ login_backoff_max_seconds")
        if self.max_upload_mb <= 0:
            problems.append("max_upload_mb must be positive")
        from registry.sharing.policy import policy_problems
        problems.extend(policy_problems(p))
        if problems:
            raise ValueError("invalid configuration: " + "; ".join(problems))

    def with_default_instance(self) -> "Settings":
        """The instance folder every entry point uses: REGISTRY_INSTANCE_PATH (or an explicit setting),
        else `./instance` under the working directory, the same for the CLI, `registry serve` and gunicorn."""
        if self.instance_path:
            return self
        return replace(self, instance_path=str(Path.cwd() / "instance"))

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return "sqlite:///" + str(Path(self.instance_path) / "registry.sqlite3")


def env_keys() -> set[str]:
    """Every environment variable the application reads (docker-compose is checked against it)."""
    keys = {ENV_PREFIX + f.name.upper() for f in fields(Settings) if f.name != "policy"}
    keys |= {ENV_PREFIX + "POLICY_" + f.name.upper() for f in fields(Policy)}
    return keys


def _coerce(kind, raw: str, key: str):
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("bool"):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if kind.startswith("tuple"):
            return tuple(p.strip() for p in raw.split(",") if p.strip())
        return raw
    except ValueError:
        raise ValueError(f"invalid value for {key}: {raw!r}") from None
