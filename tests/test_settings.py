"""Settings from the environment: production is hardened, the embedded default runs alone."""


from tests.processes import PRODUCTION, manage


def test_production_passes_check_deploy_with_no_warnings(check_deploy):
    assert check_deploy.returncode == 0, check_deploy.stdout + check_deploy.stderr
    assert "System check identified no issues" in check_deploy.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env_overrides={**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_field_encryption_keys():
    result = manage("check", env_overrides={**PRODUCTION, "FIELD_ENCRYPTION_KEYS": None})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_production_refuses_a_field_encryption_key_that_is_not_a_fernet_key():
    keys = PRODUCTION["FIELD_ENCRYPTION_KEYS"] + ",changeme"
    result = manage("check", env_overrides={**PRODUCTION, "FIELD_ENCRYPTION_KEYS": keys})
    assert result.returncode != 0
    assert "key 2 of 2 is not a Fernet key" in result.stderr
    assert "changeme" not in result.stderr


def test_embedded_default_uses_sqlite_and_in_memory_layers(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND']);"
        "print(s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        env_overrides={"CONCORD_VAR_DIR": str(tmp_path), "DATABASE_URL": None, "REDIS_URL": None},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "channels.layers.InMemoryChannelLayer",
        "True",
    ]
    # The demo's secret key is generated once and kept.
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    manage("check", env_overrides={"CONCORD_VAR_DIR": str(tmp_path), "DATABASE_URL": None})
    assert (tmp_path / "secret_key").read_text() == key


def test_redis_configures_channels_redis_with_encryption():
    code = (
        "from django.conf import settings as s;"
        "c=s.CHANNEL_LAYERS['default'];print(c['BACKEND']);"
        "print(bool(c['CONFIG']['symmetric_encryption_keys']));print(s.CELERY_BROKER_URL)"
    )
    result = manage(
        "shell", "-v", "0", "-c", code, env_overrides={"REDIS_URL": "redis://127.0.0.1:6379/3"}
    )
    assert result.stdout.split() == [
        "conferences.channel_layer.MeetingChannelLayer",  # channels-redis pub/sub, decoding once
        "True",
        "redis://127.0.0.1:6379/3",
    ]
