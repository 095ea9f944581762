import pytest

from eoi.config import ConfigurationError, load_config


def test_defaults_to_sqlite_in_instance_and_a_generated_key(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'eoi.sqlite'}"
    key = config["SECRET_KEY"]
    assert len(key) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_config(tmp_path, environ={})["SECRET_KEY"] == key  # reused, not regenerated
    assert config["SESSION_COOKIE_SECURE"] is False


def test_environment_overrides(tmp_path):
    config = load_config(tmp_path, environ={
        "EOI_DATABASE_URL": "postgresql+psycopg://eoi@db/eoi", "EOI_SECRET_KEY": "k",
        "EOI_ENV": "test",
    })
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://eoi@db/eoi"
    assert config["SECRET_KEY"] == "k"
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_missing_secret(tmp_path):
    with pytest.raises(ConfigurationError, match="EOI_SECRET_KEY"):
        load_config(tmp_path, environ={"EOI_ENV": "production",
                                       "EOI_DATABASE_URL": "postgresql+psycopg://db/eoi"})


def test_production_refuses_sqlite_unless_allowed(tmp_path):
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        load_config(tmp_path, environ={"EOI_ENV": "production", "EOI_SECRET_KEY": "k"})
    config = load_config(tmp_path, environ={"EOI_ENV": "production", "EOI_SECRET_KEY": "k",
                                            "EOI_ALLOW_SQLITE": "1"})
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="EOI_ENV"):
        load_config(tmp_path, environ={"EOI_ENV": "staging"})


def test_a_360giving_prefix_must_be_one(tmp_path):
    import pytest

    from eoi.config import ConfigurationError, load_config

    with pytest.raises(ConfigurationError, match="EOI_360G_PREFIX"):
        load_config(tmp_path, {"EOI_360G_PREFIX": "mopac-"})
    assert load_config(tmp_path, {"EOI_360G_PREFIX": "360G-abc-"})["EOI_360G_PREFIX"] == (
        "360G-abc-")


def test_the_clock_can_start_at_another_day_outside_production(tmp_path):
    from datetime import UTC, datetime

    assert load_config(tmp_path, {})["EOI_NOW"] is None
    assert load_config(tmp_path, {"EOI_NOW": "2027-02-28"})["EOI_NOW"] == datetime(
        2027, 2, 28, 12, tzinfo=UTC)
    assert load_config(tmp_path, {"EOI_NOW": "2027-07-01T08:30"})["EOI_NOW"] == datetime(
        2027, 7, 1, 7, 30, tzinfo=UTC)  # London time, in summer
    with pytest.raises(ConfigurationError, match="EOI_NOW"):
        load_config(tmp_path, {"EOI_NOW": "next Tuesday"})
    with pytest.raises(ConfigurationError, match="EOI_NOW"):
        load_config(tmp_path, {"EOI_ENV": "production", "EOI_SECRET_KEY": "k",
                               "EOI_ALLOW_SQLITE": "1", "EOI_NOW": "2027-02-28"})


def test_proxy_hops_are_a_number_and_none_by_default(tmp_path):
    assert load_config(tmp_path, environ={})["EOI_PROXY_HOPS"] == 0
    assert load_config(tmp_path, environ={"EOI_PROXY_HOPS": "2"})["EOI_PROXY_HOPS"] == 2
    with pytest.raises(ConfigurationError, match="EOI_PROXY_HOPS"):
        load_config(tmp_path, environ={"EOI_PROXY_HOPS": "yes"})
