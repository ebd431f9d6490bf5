"""Every mistake in the corpus (tests/config/mistakes.py) stops at `innovate config validate`:
exit 2, no traceback, each line `file:line: field: reason` naming the field, plain text."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from innovate_platform.cli import app
from innovate_platform.config import ConfigError, load_platform

from .mistakes import EXAMPLE_TEXT, MISTAKES, Mistake



def test_the_corpus_is_large_and_every_id_is_unique():
    assert len(MISTAKES) >= 80
    assert len({m.id for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_mistake_is_refused_naming_its_field(mistake: Mistake, tmp_path):
    """The loader names the field in `file:line: ...` lines; the real CLI prints exactly that, exit 2."""
    path = tmp_path / "platform.yaml"
    path.write_bytes(mistake.raw())
    with pytest.raises(ConfigError) as info:
        load_platform(path)
    message = str(info.value)
    assert mistake.field in message, message
    assert mistake.says in message, message
    for line in message.splitlines():
        assert line.startswith(f"{path}:"), line
    assert "Traceback" not in message and "Input should be" not in message, message
    result = CliRunner().invoke(app, ["config", "validate", "-c", str(path)])
    assert result.exit_code == 2, result.output
    assert not result.exception or isinstance(result.exception, SystemExit), result.exception
    assert result.output == f"error: {message}\n", "the CLI must print the message as written"


@pytest.mark.parametrize("mistake_id", ["budget-nodes-unquoted", "auth-incomplete-oidc-section-with-cognito",
                                        "exposed-app-without-a-host", "host-outside-the-zone"])
def test_one_mistake_gives_one_line(mistake_id, tmp_path):
    path = tmp_path / "platform.yaml"
    path.write_bytes(next(m for m in MISTAKES if m.id == mistake_id).raw())
    with pytest.raises(ConfigError) as info:
        load_platform(path)
    assert len(str(info.value).splitlines()) == 1, str(info.value)


def test_several_mistakes_give_one_line_each(tmp_path):
    bad = (EXAMPLE_TEXT.replace("region: us-east-1", "region: us-esat-1")
           .replace("deletion_protection: true", "deletion_protection: false")
           .replace("limit_cpu: 16", "limit_cpu: 1"))
    path = tmp_path / "platform.yaml"
    path.write_text(bad)
    with pytest.raises(ConfigError) as info:
        load_platform(path)
    lines = str(info.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "region", "environments.dev.karpenter.node_pools.0.limit_cpu", "environments.prod.database.deletion_protection"]
    assert all(re.match(rf"^{re.escape(str(path))}:\d+: ", line) for line in lines)


def test_markup_characters_survive_in_the_cli_output(tmp_path):
    path = tmp_path / "platform.yaml"
    path.write_bytes(next(m for m in MISTAKES if m.id == "dedicated-on-demand-with-spot").raw())
    result = CliRunner().invoke(app, ["config", "validate", "-c", str(path)])
    assert "capacity_types: [on-demand]" in result.output
    assert re.search(rf"{re.escape(str(path))}:\d+: ", result.output), "file:line: must not turn into an emoji"


def test_yaml_nested_thousands_deep_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "platform.yaml"
    path.write_text("a: " + "[" * 20000 + "]" * 20000 + "\n")
    with pytest.raises(ConfigError) as info:
        load_platform(path)
    assert "nested too deeply" in str(info.value) and "\n" not in str(info.value)
