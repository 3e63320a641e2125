"""Reading a source file's import statements, for the tests that check how the code is laid out."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


def import_statements(path: Path, package: list[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(module, names) for every import statement of the file, wherever it stands (inside
    functions, under TYPE_CHECKING), relative ones resolved against ``package``, the file's
    package as a list of names; ``names`` is empty for ``import module``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1] + [node.module or ""]).strip(".") \
                if node.level else node.module
            yield base, tuple(alias.name for alias in node.names)
