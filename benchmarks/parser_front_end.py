"""Would tree-sitter make a faster fact-extraction front end than stdlib ``ast``?

    pip install tree-sitter==0.26.1 tree-sitter-python==0.25.0
    python benchmarks/parser_front_end.py [--tables 500 2000] [--runs 5]

For each generated project (``generate_project.py``) it times, in one process, alternating
the candidates round by round and printing medians:

- ``ast.parse`` of every file (what schema-lint does today before extracting facts);
- tree-sitter's parse of every file;
- tree-sitter's parse plus one query capturing every class definition, assignment and call,
  with Python touching only the captured nodes (type, position, text of a class's name);
- schema-lint's whole cold pipeline in this process (discover, parse, extract, build the
  models' schema, replay the migrations), to give the parse its share of a cold run.

Then it prints how tree-sitter and ``ast`` differ on constructs an extractor reads, each with
the snippet that shows it: what a switch would have to reproduce to stay exact.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_project import generate  # noqa: E402

QUERY = """
(class_definition name: (identifier) @class.name) @class
(assignment) @assignment
(call) @call
"""

CONSTRUCTS: list[tuple[str, str]] = [
    ("implicit string concatenation", 'x = "ix_" "users"\n'),
    ("escapes in a string", 'x = "a\\tb\\u00e9"\n'),
    ("raw string", 'x = r"\\d+"\n'),
    ("number with underscores / hex", "x = 1_000 + 0x10\n"),
    ("f-string", 'x = f"ix_{name}"\n'),
    ("annotation written as a string", 'x: Mapped["User"] = relationship()\n'),
    ("spacing (ast.unparse normalises it)", "x = func.now( )\n"),
    ("PEP 695 type alias (3.12)", "type Id = int\n"),
    ("generic class (3.12)", "class Box[T](Base):\n    pass\n"),
    ("syntax error in one class", "class A(Base):\n    x = (\nclass B(Base):\n    y = 1\n"),
]


def median_times(candidates: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """Median wall time of each candidate, run alternately ``runs`` times."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(runs):
        for name, func in candidates.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(found) for name, found in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        import tree_sitter
        import tree_sitter_python
    except ImportError:
        print("tree-sitter is not installed: pip install tree-sitter tree-sitter-python")
        raise SystemExit(2) from None
    from importlib.metadata import version

    language = tree_sitter.Language(tree_sitter_python.language())
    ts_parser = tree_sitter.Parser(language)
    query = tree_sitter.Query(language, QUERY)
    print(
        f"python {sys.version.split()[0]}, tree-sitter {version('tree-sitter')}, "
        f"tree-sitter-python {version('tree-sitter-python')}, runs {args.runs} (medians)"
    )
    for tables in args.tables:
        run_size(tables, args.runs, ts_parser, query)
    constructs(ts_parser, query)


def run_size(tables: int, runs: int, ts_parser: Any, query: Any) -> None:
    import tree_sitter
    from schema_lint.config import load_config
    from schema_lint.engine import build_schemas
    from schema_lint.project import load_project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate(root, tables, max(300, tables // 2))
        sources = [p.read_bytes() for p in sorted(root.rglob("*.py"))]
        lines = sum(s.count(b"\n") for s in sources)
        config = load_config(root)
        captured: dict[str, int] = {}

        def ts_query() -> None:
            captured.clear()
            for source in sources:
                tree = ts_parser.parse(source)
                found = tree_sitter.QueryCursor(query).captures(tree.root_node)
                for name, nodes in found.items():
                    captured[name] = captured.get(name, 0) + len(nodes)
                    for node in nodes:
                        _ = node.type, node.start_point, node.end_point
                for node in found.get("class.name", ()):
                    _ = node.text

        def parse_each(parse: Callable[[bytes], Any]) -> Callable[[], None]:
            def run() -> None:
                for source in sources:  # each tree dropped before the next, as extraction does
                    parse(source)

            return run

        def cold() -> None:
            build_schemas(load_project(root, config, jobs=1))

        figures = median_times(
            {
                "ast": parse_each(ast.parse),
                "tree-sitter parse": parse_each(ts_parser.parse),
                "tree-sitter parse + query": ts_query,
                "cold": cold,
            },
            runs,
        )
        errors = sum(ts_parser.parse(s).root_node.has_error for s in sources)
        total = figures["cold"]
        print(f"\n{tables} tables, {len(sources)} files, {lines} lines")
        print(f"  {'schema-lint cold, one process (discover..replay)':<52} {total:6.3f} s")
        for name in ("ast", "tree-sitter parse", "tree-sitter parse + query"):
            share = figures[name] / total
            print(f"  {name:<52} {figures[name]:6.3f} s  {share:5.0%} of cold")
        print(f"  captures: {dict(sorted(captured.items()))}; files with ERROR nodes: {errors}")
        saved = figures["ast"] - figures["tree-sitter parse + query"]
        print(
            f"  a switch saves at most {saved:.3f} s ({saved / total:.0%} of cold) before any"
            " extraction work moves into queries"
        )


def constructs(ts_parser: Any, query: Any) -> None:
    """How each construct reads in ``ast`` and in tree-sitter."""
    print("\nconstruct | ast (this interpreter) | tree-sitter")
    for label, code in CONSTRUCTS:
        try:
            tree = ast.parse(code)
            node = tree.body[0]
            value = getattr(node, "value", None)
            if isinstance(node, ast.AnnAssign):
                ast_side = ast.unparse(node.annotation)
            elif isinstance(value, ast.Constant):
                ast_side = repr(value.value)
            elif value is not None:
                ast_side = ast.unparse(value)
            else:
                ast_side = type(node).__name__
        except SyntaxError as exc:
            ast_side = f"SyntaxError line {exc.lineno}: whole file unread"
        root = ts_parser.parse(code.encode()).root_node
        ts_side = _ts_summary(root)
        print(f"{label} | {ast_side} | {ts_side}")


def _ts_summary(root: Any) -> str:
    if root.has_error:
        classes = [
            c.child_by_field_name("name").text.decode()
            for c in _walk(root)
            if c.type == "class_definition" and c.child_by_field_name("name") is not None
        ]
        return f"tree with ERROR nodes; classes still found: {classes}"
    statement = root.children[0]
    node = statement.children[0] if statement.type == "expression_statement" else statement
    right = node.child_by_field_name("type") or node.child_by_field_name("right")
    target = right if right is not None else node
    return f"{target.type}: {target.text.decode()!r}"


def _walk(node: Any) -> list[Any]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


if __name__ == "__main__":
    main()
