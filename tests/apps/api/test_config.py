"""Settings come from the environment; a bad value is one clear line naming the variable."""

import os
import subprocess
import sys

import pytest

from innovate_api.config import ConfigError, load_settings

API_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "apps", "api")
BASE = {"DATABASE_URL": "postgresql://app:secret@db.internal:5432/innovate"}


def test_database_url_is_normalised_to_psycopg():
    settings = load_settings(BASE)
    assert settings.database_url.drivername == "postgresql+psycopg"
    assert (settings.database_url.host, settings.database_url.database) == ("db.internal", "innovate")
    assert settings.max_content_length == 64 * 1024 and settings.cors_allowed_origins == ()


def test_db_parts_without_iam_use_the_password():
    settings = load_settings({"DB_HOST": "db", "DB_NAME": "innovate", "DB_USER": "app", "DB_PASSWORD": "pw"})
    assert settings.database_url.password == "pw" and settings.database_url.port == 5432
    assert not settings.db_iam_auth


def test_cors_origins_are_split_and_trimmed():
    settings = load_settings(BASE | {"CORS_ALLOWED_ORIGINS": " http://localhost:5173 , https://app.example.com/ "})
    assert settings.cors_allowed_origins == ("http://localhost:5173", "https://app.example.com")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL"),
        (BASE | {"DB_POOL_SIZE": "many"}, "DB_POOL_SIZE"),
        (BASE | {"DB_POOL_SIZE": "0"}, "DB_POOL_SIZE"),
        (BASE | {"MAX_CONTENT_LENGTH": "-5"}, "MAX_CONTENT_LENGTH"),
        (BASE | {"CORS_ALLOWED_ORIGINS": "*"}, "CORS_ALLOWED_ORIGINS"),
        (BASE | {"CORS_ALLOWED_ORIGINS": "https://ok.example,https://bad.example/path"}, "CORS_ALLOWED_ORIGINS"),
        (BASE | {"AWS_REGION": "Europe"}, "AWS_REGION"),
        (BASE | {"S3_BUCKET": "Not_A_Bucket"}, "S3_BUCKET"),
        (BASE | {"LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
        (BASE | {"DB_IAM_AUTH": "maybe"}, "DB_IAM_AUTH"),
        ({"DB_IAM_AUTH": "true", "DB_HOST": "db", "DB_NAME": "innovate", "AWS_REGION": "eu-west-1"}, "DB_USER"),
        ({"DB_IAM_AUTH": "true", "DB_HOST": "db", "DB_NAME": "n", "DB_USER": "u"}, "AWS_REGION"),
        ({"DB_HOST": "db", "DB_NAME": "n", "DB_USER": "u", "DB_PORT": "99999"}, "DB_PORT"),
    ],
)
def test_bad_settings_name_the_variable(env, variable):
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert raised.value.name == variable
    assert str(raised.value).startswith(f"invalid configuration: {variable}: ")
    assert "\n" not in str(raised.value)


def gunicorn(*args, env):
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-c", "gunicorn.conf.py", *args],
        cwd=API_DIR, env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize("mode", [("--check-config",), ("--bind", "127.0.0.1:0")])
def test_gunicorn_refuses_a_bad_setting_with_one_line(mode):
    result = gunicorn(*mode, env={"DATABASE_URL": "postgresql://u@h/db", "DB_POOL_SIZE": "lots"})
    assert result.returncode != 0
    assert result.stderr.strip() == "innovate-api: invalid configuration: DB_POOL_SIZE: 'lots' is not an integer (1..100)"
    assert "Traceback" not in result.stdout + result.stderr


def test_gunicorn_config_loads_with_good_settings():
    result = gunicorn("--check-config", env={"DATABASE_URL": "postgresql://u@h/db", "WEB_CONCURRENCY": "3"})
    assert result.returncode == 0, result.stderr
    printed = gunicorn("--print-config", env={"DATABASE_URL": "postgresql://u@h/db", "WEB_CONCURRENCY": "3"})
    config = {k.strip(): v.strip() for k, v in (line.split("=", 1) for line in printed.stdout.splitlines() if "=" in line)}
    assert config["bind"] == "['0.0.0.0:8080']"
    assert config["workers"] == "3" and config["worker_class"] == "gthread"
    assert int(config["graceful_timeout"]) < 30  # inside Kubernetes' default terminationGracePeriodSeconds
