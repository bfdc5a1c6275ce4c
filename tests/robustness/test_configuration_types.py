"""Configuration of any shape: exit status 2 and a message naming the key and its type."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lint.cli import main


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("tool = 5\n", "`tool` must be a table, not an integer"),
        ('tool = "x"\n', "`tool` must be a table, not a string"),
        ("[tool]\nschema-lint = 3\n", "`tool.schema-lint` must be a table"),
        (
            "[tool]\nschema-lint = [1]\n",
            "`tool.schema-lint` must be a table ([tool.schema-lint]), not an array",
        ),
        ("[tool.schema-lint]\nselect = 5\n", "select must be a list of strings, not an integer"),
        (
            "[tool.schema-lint]\nexclude = [1]\n",
            "exclude must be a list of strings, not a list holding an integer",
        ),
        ("[tool.schema-lint]\ndialect = 5\n", "dialect must be a string, not an integer"),
        (
            "[tool.schema-lint]\nper-file-ignores = 3\n",
            "per-file-ignores must be a table of glob = [codes], not an integer",
        ),
        (
            "[tool.schema-lint.per-file-ignores]\n'a.py' = 3\n",
            "per-file-ignores.a.py must be a list of strings, not an integer",
        ),
        (
            "[tool.schema-lint]\nSL001 = true\n",
            "SL001 must be a table of rule options, not a boolean",
        ),
        (
            "[tool.schema-lint.SL001]\nbookkeeping-columns = 5\n",
            "SL001.bookkeeping-columns must be a list of strings",
        ),
        (
            "[tool.schema-lint]\nmodels = 1979-05-27\n",
            "models must be a list of strings, not a date or time",
        ),
        ("[tool.schema-lint\n", "invalid TOML"),
    ],
)
def test_ill_typed_configuration_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(toml)
    assert main(["check", str(tmp_path), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("schema-lint: configuration error:")
    assert message in err
    assert "Traceback" not in err


def test_a_pyproject_that_is_not_utf8_or_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.schema-lint]\nselect = ['\xff']\n")
    assert main(["check", str(tmp_path), "--no-cache"]) == 2
    assert "pyproject.toml: not UTF-8" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "pyproject.toml").mkdir()
    (tmp_path / ".git").mkdir()
    assert main(["check", str(tmp_path), "--no-cache"]) == 2
    assert "not a regular file (a directory)" in capsys.readouterr().err


def test_the_schema_command_reports_configuration_errors_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("tool = []\n")
    assert main(["schema", str(tmp_path), "--no-cache"]) == 2
    assert "`tool` must be a table, not an array" in capsys.readouterr().err
