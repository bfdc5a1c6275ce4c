"""The pure parts of the server: positions, payloads, capabilities, settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lsp_helpers import capabilities
from lsprotocol import types
from schema_lint.config import ConfigError
from schema_lint.diagnostics import Diagnostic, FindingKey, Related, Severity
from schema_lint.facts.source import Span
from schema_lint.lsp import capabilities as caps_module
from schema_lint.lsp import convert
from schema_lint.lsp.handlers.code_action import wanted, whole_text_edit
from schema_lint.lsp.settings import Settings, make_config
from schema_lint.rules.index_missing_in_model import MissingIndex

LINE = 'x = "é🏷️ü"; y = Column("slug")'


@pytest.mark.parametrize(("encoding", "expected"), [("utf-16", 17), ("utf-8", 23), ("utf-32", 16)])
def test_columns_are_counted_in_the_negotiated_units(encoding: str, expected: int) -> None:
    col = LINE.index("Column")
    assert col == 16  # é, U+1F3F7, U+FE0F, ü: 4 code points, 5 UTF-16 units, 11 UTF-8 bytes
    assert convert.units(LINE, col, encoding) == expected
    assert convert.code_points(LINE, expected, encoding) == col


def test_utf16_counts_a_surrogate_pair_as_two() -> None:
    assert convert.units("🏷️x", 3, "utf-16") == 4  # U+1F3F7 (2 units) + U+FE0F (1 unit)


def test_positions_past_the_end_are_clamped() -> None:
    lines = convert.Lines("ab\ncd")
    assert convert.position(lines, 9, 0, "utf-16") == types.Position(1, 2)
    assert convert.position(lines, 1, 99, "utf-16") == types.Position(0, 2)
    assert convert.position(lines, 0, 5, "utf-16") == types.Position(0, 0)


def test_a_payload_rebuilds_the_diagnostic() -> None:
    payload = MissingIndex(
        table="users",
        schema=None,
        index="ix_users_email",
        columns=("email",),
        unique=False,
        conventional=True,
        column_key="email",
        renamed_from=None,
        inherited_from=None,
    )
    diagnostic = Diagnostic(
        code="SL002",
        message="m",
        span=Span("/p/models.py", 3, 4, 3, 9),
        severity=Severity.WARNING,
        key=FindingKey("SL002", "users", "ix_users_email", "alembic"),
        related=(Related(Span("/p/0001.py", 7, 4, 7, 30), "created here"),),
        suppressible_at=(Span("/p/0001.py", 7, 4, 7, 30),),
        payload=payload,
    )
    data = convert.payload(diagnostic)
    assert data["payload"]["columns"] == ["email"]
    rebuilt = convert.from_payload(json.loads(json.dumps(data)))
    assert rebuilt == diagnostic
    assert rebuilt is not None and rebuilt.payload == payload  # typed again, tuples and all
    assert convert.from_payload({"code": "E501"}) is None
    assert convert.from_payload({"schemaLint": 2, "span": "nonsense"}) is None


@pytest.mark.parametrize(
    ("profile", "pull", "encoding", "resolve", "watch"),
    [
        ("visual-studio-code", False, "utf-16", True, True),
        ("neovim", False, "utf-8", True, False),  # pulls, but cannot be told to re-pull
        ("pull", True, "utf-16", True, True),
        ("no-resolve", False, "utf-16", False, True),
    ],
)
def test_client_capabilities_are_resolved_once(
    profile: str, pull: bool, encoding: str, resolve: bool, watch: bool
) -> None:
    caps = caps_module.resolve(capabilities(profile))
    assert caps.pull_diagnostics is pull
    assert caps.position_encoding == encoding
    assert caps.code_action_resolve is resolve
    assert caps.watched_files_registration is watch
    assert caps.versioned_edits  # VS Code: documentChanges; Neovim: resourceOperations
    assert caps.work_done_progress and caps.workspace_configuration


def test_no_capabilities_mean_the_defaults() -> None:
    caps = caps_module.resolve(types.ClientCapabilities())
    assert caps.position_encoding == "utf-16"
    assert not caps.pull_diagnostics and not caps.versioned_edits


def test_settings_accept_codes_names_and_wrapping() -> None:
    settings = Settings().merged(
        {"schemaLint": {"select": ["junction-missing-unique"], "ignore": "sl002", "x": 1}}
    )
    assert settings.select == ("SL001",)
    assert settings.ignore == ("SL002",)
    flat = settings.merged({"enable": False, "select": ["SL9"], "debounceMs": -1})
    assert not flat.enable
    assert flat.select == ()
    assert any("SL9" in w for w in flat.warnings)
    assert flat.debounce_ms == settings.debounce_ms


def test_editor_settings_apply_on_top_of_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schema-lint]\nignore = ["SL001"]\ndialect = "sqlite"\n'
    )
    config = make_config(tmp_path, Settings(ignore=("SL002",)))
    assert config.ignore == ("SL001", "SL002")
    assert config.dialect == "sqlite"
    assert make_config(tmp_path, Settings(select=("SL002",))).select == ("SL002",)
    unsaved = '[tool.schema-lint]\nselect = ["SL001"]\n'
    assert make_config(tmp_path, Settings(), unsaved).select == ("SL001",)
    with pytest.raises(ConfigError):
        make_config(tmp_path, Settings(), "[tool.schema-lint\n")


def test_context_only() -> None:
    assert wanted(None, "quickfix")
    assert not wanted(None, "source.fixAll.schema-lint", implicit=False)
    assert wanted(["source"], "source.fixAll.schema-lint")
    assert wanted(["source.fixAll"], "source.fixAll.schema-lint")
    assert not wanted(["quickfix"], "source.fixAll.schema-lint")
    assert not wanted(["source.fixAll.schema-lint.more"], "source.fixAll.schema-lint")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\n", "a\nb\nc\n"),
        ("a\nb", "a\nb\nc"),
        ("a\nb\nc\n", "a\nc\n"),
        ("x", "y"),
        ("a\n", "z\na\n"),
        ("a\nb", "a"),
        ("a\nb\n", ""),
        ("", "new\n"),
    ],
)
def test_fix_all_is_one_edit_of_the_changed_lines(old: str, new: str) -> None:
    from schema_lint.fixes.edits import apply_edits

    assert apply_edits(old, [whole_text_edit("p", old, new)]) == new


# --- reading messages from any client (schema_lint.lsp.transport) -----------------------------


def _read_all(data: bytes, line_limit: int = 64 * 1024) -> list[bytes]:
    """The message bodies ``read_messages`` finds in ``data``."""
    import asyncio
    import io
    import threading

    from schema_lint.lsp import transport

    stream = io.BytesIO(data)

    async def readline() -> bytes:
        return stream.readline(line_limit)

    async def read(count: int) -> bytes:
        return stream.read(count)

    bodies: list[bytes] = []
    source = transport.ByteSource(readline, read)
    asyncio.run(transport.read_messages(threading.Event(), source, bodies.append))
    return bodies


def _framed(body: bytes, header: bytes = b"Content-Length") -> bytes:
    return header + b": %d\r\n\r\n" % len(body) + body


def test_header_names_are_case_insensitive_and_other_headers_are_skipped() -> None:
    data = (
        _framed(b"{1}", b"content-length")
        + b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
        + _framed(b"{2}", b"CONTENT-LENGTH")
        + b"\r\n\r\n"  # stray blank lines between messages
        + b"Content-Length:7\n\n{three}"  # no space, bare line feeds
    )
    assert _read_all(data) == [b"{1}", b"{2}", b"{three}"]


def test_garbage_is_skipped_until_the_next_header() -> None:
    data = (
        b"\x00\xff garbage glued to a header"
        + _framed(b"{1}")
        + b"not a header\r\nX-Other: 1\r\n\r\n"  # a block without Content-Length
        + _framed(b"{2}")
        + b"Content-Length: -4\r\n\r\n{bad}"
        + _framed(b"{3}")  # the body is garbage then
        + b"x" * 200_000
        + b"\r\n"
        + _framed(b"{4}")  # a line longer than any header
        + b'X: 1\r\n\r\n{"text": "Content-Length: 5"}'  # the words in a dropped body
        + _framed(b"{5}")
    )
    assert _read_all(data, line_limit=1000) == [b"{1}", b"{2}", b"{3}", b"{4}", b"{5}"]


def test_a_body_too_large_is_skipped_and_the_stream_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from schema_lint.lsp import transport

    monkeypatch.setattr(transport, "MAX_BODY", 10)
    assert _read_all(_framed(b"{" + b"x" * 50 + b"}") + _framed(b"{ok}")) == [b"{ok}"]


def test_the_stream_ends_cleanly_in_the_middle_of_a_message() -> None:
    assert _read_all(_framed(b"{1}") + b"Content-Length: 50\r\n\r\n{truncated") == [b"{1}"]
    assert _read_all(b"Content-Len") == []


def test_positions_are_clamped_to_what_the_protocol_allows() -> None:
    from schema_lint.lsp.transport import MAX_UINTEGER, clamp_positions

    position = json.loads(
        '{"start": {"line": -1, "character": 18446744073709551616},'
        ' "end": {"line": 2147483647, "character": 3}, "other": {"line": -1}}',
        object_hook=clamp_positions,
    )
    assert position["start"] == {"line": 0, "character": MAX_UINTEGER}
    assert position["end"] == {"line": MAX_UINTEGER, "character": 3}
    assert position["other"] == {"line": -1}  # not a position: left alone


def test_a_client_position_past_the_text_is_clamped_to_it() -> None:
    lines = convert.Lines("ab\ncdé")
    assert convert.from_position(lines, types.Position(0, 99), "utf-16") == (1, 2)
    assert convert.from_position(lines, types.Position(1, 99), "utf-8") == (2, 3)
    assert convert.from_position(lines, types.Position(2**31 - 1, 0), "utf-16") == (2, 3)
    span = convert.lsp_range_to_span(
        "m.py", lines, types.Range(types.Position(1, 1), types.Position(0, 0)), "utf-16"
    )
    assert (span.line, span.col, span.end_line, span.end_col) == (2, 1, 2, 1)
