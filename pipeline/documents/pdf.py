"""PDF copies of generated letters, by LibreOffice headless.

One soffice process converts every file of a call (starting one costs ~1.6 s), with its own
throw-away profile so that parallel calls, or a desktop LibreOffice the user has open, never
collide. soffice can exit 0 without writing anything, so each PDF is checked, not trusted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import ConversionError

NOT_INSTALLED = "LibreOffice is not installed (soffice not found); install libreoffice-writer-nogui"


def find_soffice() -> str:
    """The soffice executable on PATH (Debian also names it libreoffice)."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConversionError(NOT_INSTALLED)


def to_pdf(docx_paths: Sequence[Path], out_dir: Path, *, timeout: float = 120) -> list[Path]:
    """Convert the documents into `out_dir/<stem>.pdf`, in the order given."""
    sources = [Path(p).resolve() for p in docx_paths]
    if not sources:
        return []
    for src in sources:
        if not src.is_file():
            raise ConversionError(f"cannot convert {src}: no such file")
    stems: dict[str, Path] = {}
    for src in sources:
        if src.stem in stems:
            raise ConversionError(
                f"{stems[src.stem]} and {src} would both become {src.stem}.pdf; "
                "convert them in separate calls"
            )
        stems[src.stem] = src
    soffice = find_soffice()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="ika-soffice-profile-") as profile,
        tempfile.TemporaryDirectory(prefix=".ika-pdf-", dir=out_dir) as staging,
    ):
        # Written to a staging folder first: a stale PDF from an earlier run never passes
        # for a new one, and a half-written PDF never appears under its final name.
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            staging,
            *map(str, sources),
        ]
        stderr = _run(cmd, timeout, sources)
        results = []
        for src in sources:
            made = Path(staging) / f"{src.stem}.pdf"
            if not made.is_file() or made.stat().st_size == 0:
                detail = f": {stderr.strip().splitlines()[-1]}" if stderr.strip() else ""
                raise ConversionError(f"LibreOffice did not convert {src.name} to PDF{detail}")
            final = out_dir / made.name
            os.replace(made, final)
            results.append(final)
    return results


def _run(cmd: list[str], timeout: float, sources: Sequence[Path]) -> str:
    """Run soffice in its own process group, so a timeout kills it and its children."""
    env = dict(os.environ)
    env.setdefault("HOME", tempfile.gettempdir())
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
            text=True,
        )
    except FileNotFoundError:
        raise ConversionError(NOT_INSTALLED) from None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        names = ", ".join(s.name for s in sources)
        raise ConversionError(
            f"LibreOffice took longer than {timeout:g} s converting {names}; stopped it"
        ) from None
    if proc.returncode != 0:
        names = ", ".join(s.name for s in sources)
        detail = (err or out).strip().splitlines()
        raise ConversionError(
            f"LibreOffice failed (exit {proc.returncode}) converting {names}"
            + (f": {detail[-1]}" if detail else "")
        )
    return err or ""
