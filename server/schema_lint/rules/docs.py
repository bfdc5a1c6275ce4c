"""A rule's documentation page, rendered from the registry (``docs/rules/`` and ``rule``)."""

from __future__ import annotations

from schema_lint.rules.registry import Example, Rule


def _example_block(example: Example) -> str:
    parts = []
    if example.title:
        parts.append(f"*{example.title}*\n")
    for path, source in example.files.items():
        parts.append(f"`{path}`:\n\n```python\n{source.rstrip()}\n```\n")
    if example.database is not None:
        parts.append(
            f"The database (`schema-lint db`):\n\n```sql\n{example.database.rstrip()}\n```\n"
        )
    for path, source in (example.fixed or {}).items():
        parts.append(f"Fixed, `{path}`:\n\n```python\n{source.rstrip()}\n```\n")
    return "\n".join(parts)


def render_rule_markdown(rule: Rule) -> str:
    lines = [
        f"# {rule.code} `{rule.slug}`",
        "",
        f"{rule.summary}. Default severity: **{rule.severity.value}**.",
        "",
        rule.explanation.rstrip(),
        "",
    ]
    if rule.options:
        lines += ["## Options", ""]
        for name, option in rule.options.items():
            lines.append(
                f"- `{name}`: {option.description} Default: `{list(option.default)}`"
                if isinstance(option.default, tuple)
                else f"- `{name}`: {option.description} Default: `{option.default}`"
            )
        lines += ["", f"Set them in `[tool.schema-lint.{rule.slug}]` of `pyproject.toml`.", ""]
    lines += ["## Flagged", ""]
    lines += [_example_block(e) for e in rule.flagged]
    lines += ["## Accepted", ""]
    lines += [_example_block(e) for e in rule.accepted]
    lines += [
        "## Suppressing",
        "",
        f"`# noqa: {rule.code}` on the reported line, or "
        f"`# schema-lint: ignore-file[{rule.code}]` at the top of the file.",
        "",
    ]
    return "\n".join(lines)


def page_name(rule: Rule) -> str:
    return f"{rule.code}-{rule.slug}.md"


def write_pages(directory: str) -> list[str]:
    """Regenerate ``docs/rules/``: one page per rule, from the registry."""
    import os

    from schema_lint.rules.registry import RULES

    os.makedirs(directory, exist_ok=True)
    written = []
    for rule in RULES:
        path = os.path.join(directory, page_name(rule))
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(render_rule_markdown(rule))
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for written_path in write_pages(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(written_path)
