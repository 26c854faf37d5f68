"""The public API is deliberate: sorted, complete, importable; docs cover every command."""

from __future__ import annotations

from pathlib import Path

import click

import gawahi
from gawahi.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_all_is_sorted_and_every_name_exists() -> None:
    assert gawahi.__all__ == sorted(gawahi.__all__)
    for name in gawahi.__all__:
        assert hasattr(gawahi, name), name


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
