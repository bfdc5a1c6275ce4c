"""How long each way of reading a project takes: the figures behind the engine's design.

    python benchmarks/extract_speed.py [--tables 500]

Prints, for a generated project, the time to parse every file with stdlib ``ast`` and with
``libcst`` (with and without positions), and schema-lint's own stages: extracting facts
(single process), building the model schema and replaying the migrations.
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_project import generate  # noqa: E402


def timed(label: str, func):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func()
    print(f"  {label:<40} {time.perf_counter() - start:7.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=500)
    args = parser.parse_args()
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider
    from schema_lint.config import load_config
    from schema_lint.engine import build_schemas
    from schema_lint.project import load_project

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate(root, args.tables, max(300, args.tables // 2))
        texts = [p.read_text() for p in sorted(root.rglob("*.py"))]
        lines = sum(t.count("\n") for t in texts)
        print(f"{args.tables} tables, {len(texts)} files, {lines} lines")
        timed("stdlib ast.parse, every file", lambda: [ast.parse(t) for t in texts])
        timed("libcst.parse_module, every file", lambda: [libcst.parse_module(t) for t in texts])
        timed(
            "libcst with PositionProvider, every file",
            lambda: [
                MetadataWrapper(libcst.parse_module(t)).resolve(PositionProvider) for t in texts
            ],
        )
        config = load_config(root)
        project = timed(
            "schema-lint: discover + extract facts", lambda: load_project(root, config, jobs=1)
        )
        timed("schema-lint: model schema + migration replay", lambda: build_schemas(project))


if __name__ == "__main__":
    main()
