"""The public API is deliberate: sorted, complete, importable; docs cover every command."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click

import gawahi
from gawahi.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_lazy_api_matches_what_type_checkers_see() -> None:
    """The names under ``if TYPE_CHECKING`` (what editors, mypy and ruff see), ``__all__``
    and the names ``__getattr__`` serves are one list, each from the module defining it."""
    tree = ast.parse(Path(gawahi.__file__).read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If))
    seen = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert sorted(seen) == gawahi.__all__ == sorted(gawahi._HOME_OF)
    for name, module in seen.items():
        assert getattr(gawahi, name).__module__.startswith(module or ""), name


def test_every_name_exists() -> None:
    for name in gawahi.__all__:
        assert hasattr(gawahi, name), name


def _loaded_after(statement: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter holds after running ``statement``."""
    code = f"import sys; {statement}; print(' '.join(m for m in {modules!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return run.stdout.split()


HEAVY = ("sqlalchemy", "pandas", "scipy.stats", "statsmodels", "matplotlib", "weasyprint")


def test_importing_gawahi_loads_the_api_only_when_used() -> None:
    assert _loaded_after("import gawahi", HEAVY) == []
    assert _loaded_after("from gawahi import connect", HEAVY) == ["sqlalchemy"]


def test_the_cli_loads_a_command_only_when_it_runs() -> None:
    commands = ("gawahi.cli.import_cmd", "gawahi.cli.fetch_cmd", "gawahi.cli.report_cmd")
    assert _loaded_after("import gawahi.cli", (*commands, *HEAVY[1:])) == []
    wanted = "from gawahi.cli import main; main.get_command(None, 'report')"
    assert _loaded_after(wanted, commands) == ["gawahi.cli.report_cmd"]


def _commands(group: click.Group, prefix: str = "gawahi") -> list[str]:
    names = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None and command.name == name, name
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix} {name}"))
    return names


def test_every_command_is_documented() -> None:
    reference = (DOCS / "cli.md").read_text()
    missing = [name for name in _commands(main) if f"## `{name}" not in reference]
    assert missing == []


def test_every_format_is_documented() -> None:
    from gawahi.sources.registry import formats

    sources = (DOCS / "data-sources.md").read_text()
    missing = [name for name in formats() if f"`{name}`" not in sources]
    assert missing == []
