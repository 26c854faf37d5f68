"""Write a report context as HTML, PDF or Word, chosen by the file's suffix.

One set of Jinja2 templates serves every format: ``render_html`` fills them,
``render_pdf`` prints that HTML with WeasyPrint, ``render_docx`` walks it into Word.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gawahi.errors import ConfigError
from gawahi.report.render_docx import render_docx
from gawahi.report.render_html import render_html
from gawahi.report.render_pdf import render_pdf

FORMATS = (".html", ".pdf", ".docx")


def render(context: Mapping[str, Any], path: str | Path) -> Path:
    """Write the report to ``path`` in the format its suffix names."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        target.write_text(render_html(context), encoding="utf-8")
        return target
    if suffix == ".pdf":
        return render_pdf(context, target)
    if suffix == ".docx":
        return render_docx(context, target)
    raise ConfigError(f"cannot write a report as {suffix or 'a file without a suffix'}: "
                     f"use one of {', '.join(FORMATS)}")  # fmt: skip


__all__ = ["FORMATS", "render", "render_docx", "render_html", "render_pdf"]
