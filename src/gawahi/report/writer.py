"""Writing a report: one context, rendered into every format asked for, and the manifest
beside the files (``NAME.manifest.json``), which ``gawahi verify`` checks."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from gawahi.errors import ConfigError, GawahiError
from gawahi.profiles.vocabulary import ProfilePacks
from gawahi.report.context import ReportMeta, build_context
from gawahi.report.manifest import build_manifest, write_manifest
from gawahi.risk.assessment import Assessment

Renderer = Callable[[Mapping[str, Any], Path], Any]


def _renderers() -> dict[str, Renderer]:
    # WeasyPrint and python-docx load in a second or two: only when a report is written.
    from gawahi.report.render_docx import render_docx
    from gawahi.report.render_html import render_html
    from gawahi.report.render_pdf import render_pdf

    def write_html(context: Mapping[str, Any], path: Path) -> None:
        path.write_text(render_html(context), encoding="utf-8")

    return {".html": write_html, ".pdf": render_pdf, ".docx": render_docx}


FORMATS = (".html", ".pdf", ".docx")


def render_one(context: Mapping[str, Any], path: Path) -> None:
    _renderers()[path.suffix.lower()](context, path)


def _in_parallel(outputs: list[Path]) -> bool:
    """The PDF in a second process when there are other files to write meanwhile: a
    process of its own, not a fork, which would share the store's connection, nor
    multiprocessing's spawn, which reruns the caller's main module."""
    kinds = {p.suffix.lower() == ".pdf" for p in outputs}
    return kinds == {True, False} and (os.cpu_count() or 1) > 1


def _render_all(
    context: Mapping[str, Any], outputs: list[Path],
    jobs: list[tuple[Path, subprocess.Popen[bytes]]], progress: Callable[[str], None],
) -> None:  # fmt: skip
    data = orjson.dumps(context) if jobs else b""
    for _, job in jobs:
        assert job.stdin is not None
        with contextlib.suppress(BrokenPipeError):  # it died: _wait gives its message
            job.stdin.write(data)
            job.stdin.close()
    elsewhere = {path for path, _ in jobs}
    for path in outputs:
        if path not in elsewhere:
            progress(f"writing {path}")
            render_one(context, path)
    for path, job in jobs:
        progress(f"writing {path}")
        _wait(job, path)


def _pdf_process(path: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gawahi.report.render_pdf", "-", str(path)]
    return subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _wait(job: subprocess.Popen[bytes], path: Path) -> None:
    err = job.stderr.read() if job.stderr else b""  # stdin is closed: no communicate()
    job.wait()
    if job.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise GawahiError(f"{path}: the PDF could not be written: {last[0]}")


def manifest_path(outputs: list[Path]) -> Path:
    first = outputs[0]
    return first.with_name(f"{first.stem}.manifest.json")


def write_reports(
    conn: sa.Connection, result: Assessment, packs: ProfilePacks, meta: ReportMeta,
    outputs: list[Path], progress: Callable[[str], None] = lambda _: None,
) -> Path:  # fmt: skip
    """Render ``result`` into each of ``outputs`` (by suffix) and write the manifest."""
    for path in outputs:
        if path.suffix.lower() not in FORMATS:
            raise ConfigError(f"{path}: a report is .html, .pdf or .docx")
    for path in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
    pdfs = [p for p in outputs if p.suffix.lower() == ".pdf"]
    # Started first, so that it loads WeasyPrint while this process gathers the figures.
    jobs = [(path, _pdf_process(path)) for path in pdfs] if _in_parallel(outputs) else []
    try:
        progress("gathering figures, incidents and sources")
        context = build_context(conn, result, packs, meta)
        _render_all(context, outputs, jobs, progress)
    except BaseException:
        for _, job in jobs:  # no half-written PDF beside a failed report
            job.kill()
            job.wait()
        raise
    target = manifest_path(outputs)
    write_manifest(build_manifest(result, outputs), target)
    progress(f"writing {target}")
    return target
