"""`pip install .` (not editable) gives a working `ika`: every imported package declared, none
declared unused, the Word templates shipped inside the wheel."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_level() -> dict[str, str]:
    """Every absolute import's top-level name in pipeline/ and cli.py, and every package run as
    `python -m NAME` (OCRmyPDF), -> one file using it."""
    found: dict[str, str] = {}
    for path in [ROOT / "cli.py", *sorted((ROOT / "pipeline").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"""["']-m["'],\s*["']([A-Za-z_][\w.]*)["']""", text):
            found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared_and_every_declared_one_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_norm(re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0])
                for dep in project["dependencies"]}
    dists = packages_distributions()
    own = {"pipeline", "cli"}
    third_party = {name: where for name, where in _imported_top_level().items()
                   if name not in sys.stdlib_module_names and name not in own}
    undeclared = {name: where for name, where in third_party.items()
                  if not declared & {_norm(d) for d in dists.get(name, [name])}}
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"
    used = {_norm(d) for name in third_party for d in dists.get(name, [name])}
    assert not declared - used, f"declared but never imported: {sorted(declared - used)}"


def _working_tree(dest: Path) -> None:
    """A copy of the tree a clone would give, with the uncommitted work: tracked files and
    untracked ones git does not ignore (no .venv, archive, caches, build/)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # deleted in the work tree but still in the index: skipped
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


@pytest.mark.slow
def test_pip_install_gives_a_working_ika(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git work tree")
    source = tmp_path / "src"
    _working_tree(source)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python, ika = venv / "bin" / "python", venv / "bin" / "ika"
    pip = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          str(source)], capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    shutil.rmtree(source)  # the installed ika must not lean on the source tree

    shipped = subprocess.run(
        [python, "-c", "from pipeline.documents import TEMPLATES_DIR; print(TEMPLATES_DIR)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.strip()
    assert Path(shipped).is_relative_to(venv), shipped
    assert (Path(shipped) / "minit-cerai.docx").is_file()

    archive = tmp_path / "archive"
    env = {**os.environ, "IKA_TODAY": "2026-11-27"}

    def run(*args: str) -> str:
        done = subprocess.run([ika, *args, "--archive", str(archive)], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=600)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    from tests.conftest import signed

    run("init")
    toml = archive / "ika.toml"
    toml.write_text(signed(toml.read_text(encoding="utf-8")), encoding="utf-8")
    assert "all templates render" in run("doc", "check")
    case = run("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
               "--type", "Memorandum Persefahaman", "--country", "Korea Selatan",
               "--division", "Bahagian Keselamatan dan Ketenteraman Awam",
               "--source", "embassy", "--received", "2026-03-18").strip().splitlines()[-1]
    assert re.fullmatch(r"IKA-\d{4}-\d{4}", case), case
    letter = Path(run("doc", "make", case, "makluman-bahagian").split()[0])
    assert letter.suffix == ".docx" and letter.is_file() and letter.is_relative_to(archive)
    assert letter.read_bytes()[:2] == b"PK"  # a Word document: a zip
