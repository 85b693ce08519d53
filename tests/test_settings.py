"""The one settings object: every error names its variable, each default is written once, and
nothing else in live/ or workers/ reads the environment."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from live.cli import main
from live.settings import (
    MASK,
    Secret,
    Settings,
    SettingsError,
    child_environment,
    load_settings,
    unknown_variables,
)

ROOT = Path(__file__).resolve().parent.parent


def test_nothing_but_the_settings_module_reads_the_environment():
    readers = []
    for folder in ("live", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "live" / "settings.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"os\.environ|getenv|from os import environ", line):
                    readers.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert readers == [], "read the environment through live.settings only:\n" + "\n".join(readers)


def test_unset_variables_give_the_declared_defaults():
    assert load_settings({}) == Settings()
    assert load_settings({}).inbox_limit == Settings.model_fields["inbox_limit"].default


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SIEULIVE_INBOX_LIMIT", "lots", "valid integer"),
        ("SIEULIVE_MAX_BODY_BYTES", "1MB", "valid integer"),
        ("SIEULIVE_ORDER_BATCH_SIZE", "0", "greater than 0"),
        ("SIEULIVE_LOG_FORMAT", "xml", "'text' or 'json'"),
        ("SIEULIVE_HUB_MODE", "fastest", "'fast' or 'naive'"),
        ("SIEULIVE_SQL_ECHO", "maybe", "valid boolean"),
        ("SIEULIVE_WORKER_METRICS_PORT", "70000", "less than or equal to 65535"),
    ],
)
def test_a_bad_value_fails_naming_its_variable_and_the_value(variable, value, says):
    with pytest.raises(SettingsError) as caught:
        load_settings({variable: value})
    assert f"{variable}={value!r}" in str(caught.value)
    assert says in str(caught.value)


def test_every_bad_variable_is_named_at_once():
    with pytest.raises(SettingsError) as caught:
        load_settings({"SIEULIVE_INBOX_LIMIT": "x", "SIEULIVE_LOG_LEVEL": "LOUD"})
    assert "SIEULIVE_INBOX_LIMIT" in str(caught.value)
    assert "SIEULIVE_LOG_LEVEL" in str(caught.value)


def test_a_bad_secret_is_named_but_never_shown():
    with pytest.raises(SettingsError) as caught:
        Settings(data_dir=Path("x")).with_overrides(metrics_token=12)
    assert "SIEULIVE_METRICS_TOKEN" in str(caught.value)


def test_values_are_parsed_and_normalised():
    settings = load_settings(
        {
            "DATABASE_URL": "postgres://u:pw@db/live",
            "SIEULIVE_PUBLIC_URL": "https://live.example.vn/",
            "SIEULIVE_SQL_ECHO": "1",
            "SIEULIVE_WEBHOOK_SECRET_SHOPEE": "s1",
            "SIEULIVE_WEBHOOK_SECRET_DEFAULT": "s0",
            "REDIS_URL": "",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u:pw@db/live"
    assert settings.public_url == "https://live.example.vn"
    assert settings.sql_echo is True
    assert settings.redis_url is None, "empty means unset: the embedded Redis"
    assert settings.webhook_secrets == {"shopee": "s1", "default": "s0"}
    assert isinstance(settings.webhook_secrets["shopee"], Secret)


def test_a_child_process_loads_the_same_settings(tmp_path):
    settings = load_settings(
        {
            "SIEULIVE_DATA_DIR": str(tmp_path),
            "SIEULIVE_INBOX_LIMIT": "42",
            "SIEULIVE_SQL_ECHO": "true",
            "SIEULIVE_WEBHOOK_SECRET_LAZADA": "l",
            "SIEULIVE_METRICS_TOKEN": "m",
        }
    )
    assert load_settings(child_environment(settings)) == settings


def test_repr_and_config_never_show_a_secret_or_a_password(capsys, monkeypatch):
    env = {
        "DATABASE_URL": "postgresql://live:db-password-1@db/live",
        "REDIS_URL": "redis://:redis-password-2@redis:6379/0",
        "SIEULIVE_METRICS_TOKEN": "metrics-token-3",
        "SIEULIVE_WEBHOOK_SECRET_SHOPEE": "webhook-secret-4",
        "SIEULIVE_TOKEN": "producer-token-5",
        "SIEULIVE_INBOX_LIMT": "9",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    secrets = ("db-password-1", "redis-password-2", "metrics-token-3", "webhook-secret-4")
    for text in (repr(settings), str(settings)):
        assert not any(s in text for s in (*secrets, "producer-token-5")), text
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    assert not any(s in out + err for s in (*secrets, "producer-token-5"))
    assert f"postgresql+psycopg://live:{MASK}@db/live  (environment)" in out
    assert "SIEULIVE_INBOX_LIMT is set but no setting reads it" in err
    assert main(["config", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    rows = {row["variable"]: row for row in answer["settings"]}
    assert rows["SIEULIVE_METRICS_TOKEN"]["value"] == MASK
    assert rows["SIEULIVE_WEBHOOK_SECRET_SHOPEE"]["value"] == MASK
    assert rows["SIEULIVE_INBOX_LIMIT"] == {
        "variable": "SIEULIVE_INBOX_LIMIT",
        "value": "1500",
        "source": "default",
        "meaning": rows["SIEULIVE_INBOX_LIMIT"]["meaning"],
    }
    assert answer["unknown_variables"] == ["SIEULIVE_INBOX_LIMT"]
    assert unknown_variables({"SIEULIVE_WEBHOOK_SECRET_X": "1"}) == []


def test_a_command_with_a_bad_variable_says_which_and_exits_2(capsys, monkeypatch):
    monkeypatch.setenv("SIEULIVE_MAX_UPLOAD_BYTES", "20MB")
    assert main(["config"]) == 2
    assert "SIEULIVE_MAX_UPLOAD_BYTES='20MB'" in capsys.readouterr().err
