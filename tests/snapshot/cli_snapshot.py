#!/usr/bin/env python3
"""Behaviour snapshot of the `ika` command line, to compare a checkout before and after a change.

    python tests/snapshot/cli_snapshot.py --root CHECKOUT --out snap.json [-v] [--keep]

Runs a fixed script of `ika` commands against a fresh archive in a temporary folder and writes one
JSON file: for each command its argv, exit code, stdout (parsed when it is --json, else its lines)
and the first line of stderr; then the files the archive holds. Run it on the checkout before a
change and after it and `diff` the two files: they must be identical. Two runs on one checkout
give identical files.

What it runs: every command's --help (the command tree is discovered, so a command that appears
or disappears shows); a YA case walked through all nine steps (step 9 done by filing the
negotiated text) and a TIDAK case, with the documents their steps call for (`doc make`, one with
--pdf); a case edited, undone, withdrawn and un-withdrawn; case list/show/summary, due with
--within/--division; a small corpus from ../shared/corpus filed where it lies (text PDFs, a .docx,
a .txt instrument, one scan through OCR, an encrypted and a broken PDF through the inbox, failed/
and retry), a duplicate, watch --once, unassigned and relinking, show DOC-ID, verify (--repair),
searches in Malay and English with filters and facets, reindex, doc check, accounts.

How: each command is `<python> ROOT/cli.py ARGS --archive archive` in a subprocess whose working
folder is a new temporary folder, with IKA_TODAY fixed (--today) and `--by` given where a command
takes it. `user` and `serve` are defined below cli.py's `if __name__ == "__main__"` block, so
`python cli.py` does not know them: the `user` commands run through the `ika` entry point
(`cli:main`, imported from ROOT) instead, and `serve` is not run. Corpus files are read where they
are, never copied into the repository: three are copied into the temporary archive's inbox (two
to land in failed/, one for watch --once). The YA case's negotiated MOU is a short Malay text
written here (MOU_KR). PYTHONHASHSEED is fixed, so set orders cannot vary.

Normalised, because they vary between two runs of one checkout: wall-clock times (event and filing
times, log lines, and filing dates that are the wall clock's day), the temporary folder, the corpus,
checkout and Python paths, one-time passwords, and the hashes of generated files: a Word document's
zip entries carry the time it was written, so its sha256 reads "<generated>" and a "parts" digest
(its parts' names and bytes) stands in for it, its size kept; a PDF made by LibreOffice or OCR
embeds its creation time, so its sha256 and size read "<generated>". Everything else — ids, dates
of IKA_TODAY, hashes of the corpus files, orders, search scores — is kept. The text table of
`unassigned` has its spacing squeezed (its date column is the wall clock's day, of varying width).
Take both snapshots in one calendar year: a search's year facet counts unsigned documents by the
year they were filed, on the wall clock.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
DEFAULT_CORPUS = HERE.parents[3] / "shared" / "corpus"  # ../shared/corpus beside the checkout
TODAY = "2026-06-15"  # a Monday; IKA_TODAY for every command
ARCHIVE = "archive"  # relative to the temporary working folder
MYT = timezone(timedelta(hours=8))  # the wall clock the archive's events are written in
GENERATED = "<generated>"
# The YA case's negotiated instrument, in Malay (none is to be found in public): filing it into
# the case completes step 9.
MOU_KR = """\
MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK KOREA MENGENAI KERJASAMA
DALAM MENCEGAH DAN MEMERANGI PEMERDAGANGAN ORANG

Kerajaan Malaysia dan Kerajaan Republik Korea (selepas ini disebut secara bersama sebagai
"Pihak-Pihak" dan secara berasingan sebagai "Pihak");

MENYEDARI kepentingan kerjasama dua hala dalam mencegah dan memerangi jenayah pemerdagangan orang;

BERHASRAT untuk mengukuhkan hubungan persahabatan antara kedua-dua negara;

TELAH BERSETUJU seperti yang berikut:

PERKARA 1
OBJEKTIF
Memorandum Persefahaman ini bertujuan untuk mengukuhkan kerjasama antara Pihak-Pihak dalam
mencegah, menyiasat dan mendakwa jenayah pemerdagangan orang serta melindungi mangsa.

PERKARA 2
BIDANG KERJASAMA
Pihak-Pihak hendaklah bekerjasama melalui pertukaran maklumat, latihan pegawai penguat kuasa
undang-undang dan perkongsian amalan terbaik.

PERKARA 3
KUAT KUASA DAN TEMPOH
Memorandum Persefahaman ini hendaklah berkuat kuasa pada tarikh ia ditandatangani dan kekal
berkuat kuasa bagi tempoh lima (5) tahun.

DITANDATANGANI di Seoul pada 10 Jun 2026 dalam dua (2) naskhah asal dalam bahasa Melayu, bahasa
Korea dan bahasa Inggeris, semua teks adalah sama sahih.

BAGI PIHAK KERAJAAN MALAYSIA
BAGI PIHAK KERAJAAN REPUBLIK KOREA
"""
# Commands run through the `ika` entry point: cli.py defines them after its __main__ block.
ENTRY_ONLY = ("user",)
SKIPPED = {"serve": "runs a web server until stopped"}

# `ika` as the console script runs it: ROOT's cli.main, argv[0] "ika".
ENTRY = ("import sys; root = sys.argv.pop(1); sys.path.insert(0, root); sys.argv[0] = 'ika'; "
         "from cli import main; sys.exit(main())")
# Every command's help, from the command tree itself (one process instead of one per command).
HELP_TREE = """
import json, sys
root = sys.argv[1]
sys.path.insert(0, root)
import click
from cli import main
out = {}
def walk(cmd, path, parent):
    ctx = click.Context(cmd, info_name=path[-1] if path else "ika", parent=parent,
                        terminal_width=80, max_content_width=80)
    out[" ".join(path)] = {"group": isinstance(cmd, click.Group),
                           "help": cmd.get_help(ctx).splitlines()}
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            walk(cmd.get_command(ctx, name), [*path, name], ctx)
walk(main, [], None)
print(json.dumps(out))
"""

# Wall-clock times: "2026-11-30 13:41:05", "2026-11-30T13:41:05.123", "2026-11-30 13:41".
TIME_RE = re.compile(
    r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?")
MONTHS_MS = ("Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September",
             "Oktober", "November", "Disember")
OTP_RE = re.compile(r"(one-time password:?\s+)\S+")
HEX64_RE = re.compile(r"\b[0-9a-f]{64}\b")
# A document `ika doc make` wrote (name-vN.docx/.pdf) or an OCR copy (name-hash.ocr.pdf).
GENERATED_RE = re.compile(r"(?:-v\d+\.(?:docx|pdf)|\.ocr\.pdf)$")
FILED_RE = re.compile(r"(?:^|/)([^/\s]+) -> (DOC-\d+)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Snapshot:
    def __init__(self, root: Path, python: str, corpus: Path, work: Path, today: str,
                 verbose: bool = False) -> None:
        self.root = root
        self.python = python
        self.corpus = corpus
        self.work = work
        self.today = today
        self.verbose = verbose
        self.runs: list[dict[str, Any]] = []
        self.ran: set[str] = set()  # commands run at least once ("case new", "file" ...)
        self.groups: set[str] = set()  # commands with sub-commands
        self.doc_ids: dict[str, str] = {}  # file name -> DOC-id, from the filing lines
        # sha256 of generated files, masked in the output -> whether their size is masked too
        self.generated: dict[str, bool] = {}
        self.env = self._env()

    # ------------------------------------------------------------------ running

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("IKA_") and k not in ("PYTHONPATH", "PYTHONSTARTUP")}
        env.update({
            "IKA_TODAY": self.today,
            "PYTHONHASHSEED": "0",
            "PYTHONIOENCODING": "utf-8",
            "PYTHONWARNINGS": "ignore",
            "COLUMNS": "80",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
            "USER": "snapshot",
            "LOGNAME": "snapshot",
        })
        return env

    def _exec(self, argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
        t0, cpu0 = time.monotonic(), _children_cpu()
        proc = subprocess.run(argv, cwd=self.work, env=self.env, input=stdin,
                              capture_output=True, text=True, encoding="utf-8",
                              errors="replace", timeout=900)
        if self.verbose:
            shown = " ".join(argv[2:] if argv[1] != "-c" else argv[4:])
            print(f"{time.monotonic() - t0:6.2f}s {_children_cpu() - cpu0:5.2f}s cpu  "
                  f"exit {proc.returncode}  {shown}", file=sys.stderr)
        return proc

    def ika(self, *args: str, label: str, stdin: str | None = None,
            all_stderr: bool = False) -> dict[str, Any]:
        """Run `ika ARGS --archive archive` and record it."""
        args = (*args, "--archive", ARCHIVE)
        entry = args[0] in ENTRY_ONLY
        head = ([self.python, "-c", ENTRY, str(self.root)] if entry
                else [self.python, str(self.root / "cli.py")])
        proc = self._exec([*head, *args], stdin)
        out: Any = proc.stdout
        if "--json" in args:
            try:
                out = json.loads(proc.stdout)
            except ValueError:
                out = proc.stdout
        if isinstance(out, str):
            out = out.splitlines()
            for line in out:
                for name, doc_id in FILED_RE.findall(line):
                    self.doc_ids[name] = doc_id
        errors = proc.stderr.splitlines()
        record: dict[str, Any] = {
            "label": label,
            "argv": ["ika", *args],
            "exit": proc.returncode,
            "stdout": out,
            "stderr": errors if all_stderr else next((e for e in errors if e.strip()), ""),
        }
        if entry:
            record["via"] = "entry point cli:main"
        if stdin is not None:
            record["stdin"] = stdin
        if "Traceback (most recent call last)" in proc.stderr:
            record["exception"] = errors[-1]
        self.runs.append(record)
        self.ran.add(" ".join(args[:2]) if args[0] in self.groups else args[0])
        return record

    # ------------------------------------------------------------------ the script

    def discover(self) -> list[str]:
        """The command tree and every command's help; `python cli.py --help` as it is."""
        proc = self._exec([self.python, str(self.root / "cli.py"), "--help"])
        self.runs.append({"label": "python cli.py --help", "argv": ["cli.py", "--help"],
                          "exit": proc.returncode, "stdout": proc.stdout.splitlines()})
        proc = self._exec([self.python, "-c", HELP_TREE, str(self.root)])
        if proc.returncode != 0:
            raise SystemExit(f"cannot read the command tree:\n{proc.stderr}")
        tree = json.loads(proc.stdout)
        self.runs.append({"label": "every command's --help (ika entry point)",
                          "help": {name or "ika": t["help"] for name, t in tree.items()}})
        self.groups = {name for name, t in tree.items() if t["group"] and name}
        return [name for name, t in tree.items() if not t["group"]]

    def script(self) -> None:
        k = str(self.corpus)
        inst, pdf, docx, scans = (f"{k}/instruments", f"{k}/pdf", f"{k}/docx", f"{k}/scans")
        run = self.ika

        proc = self._exec([self.python, str(self.root / "cli.py"), "--version"])
        self.runs.append({"label": "version", "argv": ["cli.py", "--version"],
                          "exit": proc.returncode, "stdout": proc.stdout.splitlines()})
        run("init", label="init")
        run("init", label="init again: nothing overwritten")
        toml = self.work / ARCHIVE / "ika.toml"
        self.runs.append({"label": "ika.toml as init writes it",
                          "sha256": hashlib.sha256(toml.read_bytes()).hexdigest()})
        toml.write_text(_signed(toml.read_text(encoding="utf-8"))
                        .replace("settle_seconds = 2.0", "settle_seconds = 0.2"), encoding="utf-8")

        # accounts
        run("user", "add", "kerani", "--role", "clerk", label="user add (one-time password)")
        run("user", "add", "aminah", "--role", "division", "--division",
            "Bahagian Keselamatan dan Ketenteraman Awam", "--password-stdin",
            stdin="rahsia-aminah-1\n", label="user add --password-stdin")
        run("user", "add", "kerani", "--role", "clerk", label="user add: already there")
        run("user", "passwd", "aminah", "--password-stdin", stdin="rahsia-aminah-2\n",
            label="user passwd")
        run("user", "disable", "kerani", label="user disable")
        run("user", "list", "--json", label="user list: one disabled")
        run("user", "disable", "kerani", "--enable", label="user enable")
        run("user", "list", label="user list (text)")

        # A: the YA case, all nine steps
        by = ("--by", "Aminah")
        a = _id(run("case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
                    "--type", "Memorandum Persefahaman", "--country", "Korea Selatan",
                    "--division", "KKA", "--source", "embassy", "--received", "2026-05-04",
                    "--their-ref", "KBRK/2026/12", *by, label="YA case: new"))
        run("case", "show", a, "--json", label="YA case at step 1")
        run("doc", "list", a, "--json", label="YA case: documents called for")
        run("doc", "make", a, "makluman-bahagian", *by, label="step 1 letter")
        run("case", "done", a, "1", "--date", "2026-05-06", *by, label="YA step 1")
        run("doc", "make", a, "permohonan-ulasan", "--to", "AGC", "--to", "PUU-KDN", "--to",
            "PDRM", *by, label="step 2 letters, one per addressee")
        run("doc", "make", a, "permohonan-ulasan", *by, label="step 2 without --to: error")
        run("case", "done", a, "3", *by, label="not the current step: error")
        run("case", "done", a, "2", "--date", "2026-05-19", "--note", "ulasan diterima", *by,
            label="YA step 2")
        run("doc", "make", a, "minit-cerai", *by, label="minit cerai, fields missing: error")
        run("doc", "make", a, "minit-cerai", "--set", "tujuan=Mendapatkan kelulusan",
            "--set", "latar_belakang=Kedutaan mencadangkan MOU",
            "--set", "ulasan=PDRM|2026-05-12|Menyokong; AGC|2026-05-15|Tiada halangan",
            "--set", "syor=Dipersetujui", *by, label="step 3 minit cerai")
        run("case", "done", a, "3", "--date", "2026-05-21", *by, label="YA step 3 submitted")
        run("due", "--json", label="due: waiting on top management")
        run("case", "decide", a, *by, label="decide without --approve/--reject: usage error")
        run("case", "schedule", a, "--start", "2026-06-08", *by,
            label="schedule before approval: error")
        run("case", "decide", a, "--approve", "--date", "2026-05-25", "--note", "YA", *by,
            label="YA decision")
        run("doc", "make", a, "jemputan-mesyuarat", "--set", "tarikh_mesyuarat=2026-05-28",
            "--set", "masa=10.00 pagi", "--set", "tempat=Bilik Mesyuarat Utama, KDN",
            "--set", "agenda=Draf MOU; Tarikh rundingan", *by,
            label="step 4 invitation with a distribution list")
        run("case", "done", a, "4", "--date", "2026-05-28",
            "--set", "hasil_mesyuarat=Draf dipersetujui untuk dirunding",
            "--set", "kehadiran=KLN; AGC", *by, label="YA step 4 with --set")
        run("doc", "make", a, "makluman-keputusan", *by, label="step 5 letter")
        run("case", "done", a, "5", "--date", "2026-06-01", *by, label="YA step 5")
        run("case", "edit", a, "--security", "SULIT", "--their-ref", "KBRK/2026/12-A", *by,
            label="edit: security and their ref")
        run("case", "edit", a, "--security", "SULIT", *by, label="edit: nothing changed")
        run("doc", "make", a, "memo-kln", "--pdf", *by, label="step 6 memo, with --pdf")
        run("case", "done", a, "6", "--date", "2026-06-03", *by, label="YA step 6")
        run("case", "done", a, "7", *by, label="step 7 before its dates: error")
        run("case", "schedule", a, "--start", "2026-06-08", "--days", "3", "--venue", "Seoul",
            *by, label="YA step 7 scheduled")
        run("due", "--json", label="due: the negotiation")
        run("case", "done", a, "7", "--date", "2026-06-10", *by, label="YA step 7")
        run("doc", "make", a, "serahan-dokumen", *by, label="step 8 letter")
        run("case", "done", a, "8", "--date", "2026-06-11", *by, label="YA step 8")
        made = run("doc", "list", a, "--json", label="YA case: documents made")
        run("doc", "list", a, label="YA case: documents made (text)")

        # B: the TIDAK case
        by = ("--by", "Faridah")
        b = _id(run("case", "new", "--title", "Kerjasama Pengurusan Sempadan dan Imigresen",
                    "--type", "agreement", "--country", "Indonesia", "--division",
                    "Bahagian Hal Ehwal Imigresen", "--source", "kln",
                    "--received", "2026-04-20", *by, label="TIDAK case: new"))
        run("case", "done", b, "1", "--date", "2026-04-22", *by, label="TIDAK step 1")
        run("case", "done", b, "2", "--date", "2026-05-05", *by, label="TIDAK step 2")
        run("case", "decide", b, "--reject", "--date", "2026-05-08", "--note", "TIDAK", *by,
            label="TIDAK decision, no submission recorded")
        run("case", "decide", b, "--approve", *by, label="decided again: error")
        run("doc", "make", b, "jemputan-mesyuarat", *by, label="step 4 on TIDAK: error")
        run("case", "schedule", b, "--start", "2026-06-01", *by, label="schedule TIDAK: error")
        run("doc", "make", b, "memo-kln", *by, label="TIDAK memo")
        run("case", "done", b, "5", "--date", "2026-05-11", *by, label="TIDAK step 5")
        run("case", "done", b, "6", "--date", "2026-05-12", *by, label="TIDAK step 6 ends it")
        run("case", "show", b, "--json", label="TIDAK case")

        # C: edited, undone, withdrawn, un-withdrawn
        by = ("--by", "snapshot")
        c = _id(run("case", "new", "--title", "Pelan Tindakan Serantau Penyeludupan Migran",
                    "--type", "Pelan Tindakan", "--country", "TH", "--country", "VN",
                    "--division", "MAPO", "--source", "management", "--received", "2026-06-01",
                    *by, label="case C: new, two countries"))
        run("case", "edit", c, "--country", "TH", "--country", "VN", "--country", "PH",
            "--level", "regional", "--title", "Pelan Tindakan Serantau Anti Penyeludupan Migran",
            *by, label="edit: countries, level, title")
        run("case", "done", c, "1", "--date", "2026-06-02", *by, label="C step 1")
        run("case", "undo", c, "--reason", "tarikh salah", *by, label="undo step 1")
        run("case", "undo", c, "--reason", "lagi", *by, label="undo, nothing done: error")
        run("case", "withdraw", c, "--reason", "Tidak diteruskan", "--date", "2026-06-05", *by,
            label="withdraw")
        run("case", "list", "--status", "withdrawn", "--json", label="withdrawn cases")
        run("case", "withdraw", c, "--reason", "lagi", *by, label="withdraw again: error")
        run("case", "undo", c, "--reason", "ditarik balik tersilap", *by,
            label="undo the withdrawal")
        run("case", "show", c, "--json", label="case C and its history")

        # D: overdue; E: received today, from a Division ika.toml does not know
        d = _id(run("case", "new", "--title", "MOU on Police Cooperation", "--type", "MOU",
                    "--country", "Japan", "--division", "PDRM", "--received", "2026-03-02",
                    *by, label="case D: overdue"))
        run("case", "new", "--title", "Kerjasama Keselamatan Siber", "--type", "mou",
            "--country", "SG", "--division", "Bahagian Tidak Dikenali", *by,
            label="case E: unknown Division, received today")
        run("case", "new", "--title", "X", "--type", "mou", "--country", "Malaysia",
            "--division", "KKA", *by, label="Malaysia as counterpart: error")
        run("case", "new", "--title", "X", "--type", "mou", "--country", "SG",
            "--division", "KKA", "--received", "2026-07-01", *by, label="future date: error")

        # reports
        run("case", "list", "--json", label="all cases")
        run("case", "list", label="all cases (text)")
        run("case", "list", "--status", "open", "--json", label="open cases")
        run("case", "list", "--status", "rejected", "--json", label="rejected cases")
        run("case", "list", "--overdue", "--json", label="overdue cases")
        run("case", "list", "--country", "Jepun", "--type", "MOU", "--json",
            label="cases with Japan, MOU")
        run("case", "list", "--division", "Imigresen", "--json", label="cases of a Division")
        run("due", "--json", label="due")
        run("due", label="due (text)")
        run("due", "--within", "7", "--json", label="due within 7 days")
        run("due", "--within", "0", "--json", label="due today")
        run("due", "--division", "Keselamatan", "--json", label="due of one Division")
        run("due", "--within", "30", "--division", "PDRM", "--json",
            label="due within 30 days, one Division")
        run("case", "show", d, "--json", label="overdue case")
        run("case", "show", "IKA-2026-9999", "--json", label="no such case: error")

        # filing
        by = ("--by", "kerani")
        run("file", f"{inst}/pta_20.pdf", f"{inst}/pta_160.docx", f"{pdf}/google-doc-document.pdf",
            *by, label="file: instrument PDF, instrument .docx, text PDF")
        run("file", f"{docx}/tables.docx", f"{inst}/BWBV0001570.txt", *by,
            label="file: .docx, .txt instrument")
        run("file", f"{scans}/phototest.tif", *by, label="file: one scan (OCR)")
        run("file", f"{inst}/pta_20.pdf", *by, label="file: the same bytes again")
        run("file", f"{k}/no-such-file.pdf", *by, label="file: no such file")
        inbox = self.work / ARCHIVE / "inbox"
        for name in ("password-protected.pdf", "invalid.pdf"):
            shutil.copyfile(f"{pdf}/{name}", inbox / name)  # the temporary archive's inbox
        run("file", f"{ARCHIVE}/inbox/password-protected.pdf", f"{ARCHIVE}/inbox/invalid.pdf",
            *by, label="file from the inbox: encrypted and broken go to failed/")
        self.tree("failed/ after the failures", "failed")
        run("retry", "password-protected.pdf", *by, label="retry without the password")
        run("retry", "password-protected.pdf", "--password", "openpassword", *by,
            label="retry with the password")
        run("retry", *by, label="retry all: the broken one fails again")
        run("file", f"{inst}/pta_334.txt", "--case", a, *by,
            label="a text filed into the YA case that is not its instrument: step 9 stays")
        (self.work / "mou-kr.txt").write_text(MOU_KR, encoding="utf-8")
        run("file", "mou-kr.txt", "--case", a, *by,
            label="the negotiated MOU (Malay) filed into the YA case: step 9 done, closed")
        (inbox / c).mkdir()
        shutil.copyfile(f"{pdf}/multicolumn.pdf", inbox / c / "multicolumn.pdf")
        run("watch", "--once", label="watch --once: inbox/CASE/ is filed into that case")
        run("unassigned", "--json", label="unassigned, with suggestions")
        rec = run("unassigned", label="unassigned (text), spacing squeezed: its date column "
                  "holds the wall clock's day, whose width varies")
        rec["stdout"] = [re.sub(r"-{2,}", "--", re.sub(r" {2,}", "  ", line))
                         for line in rec["stdout"]]
        ids = self.doc_ids
        run("file", ids.get("google-doc-document.pdf", "DOC-?"), "--case", d, *by,
            label="link a filed document to a case")
        run("file", ids.get("pta_160.docx", "DOC-?"), "--case", "IKA-2026-9999", *by,
            label="link to no such case: error")
        run("unassigned", "--json", label="unassigned after linking")
        run("case", "show", a, "--json", label="YA case, all steps done")
        run("case", "show", a, label="YA case (text)")
        run("case", "summary", a, label="YA case summary (HTML)")
        run("case", "summary", b, label="TIDAK case summary (HTML)")
        run("case", "summary", d, "-o", "summary-d.html", label="summary to a file")
        self.file_record("summary-d.html")
        run("case", "list", "--json", label="all cases after filing")
        run("due", "--json", label="due after filing")

        # documents
        first_made = _first_doc_id(made["stdout"])
        for name in (first_made, ids.get("pta_20.pdf"), ids.get("google-doc-document.pdf"),
                     ids.get("BWBV0001570.txt"), ids.get("phototest.tif"),
                     ids.get("password-protected.pdf"), ids.get("mou-kr.txt"),
                     ids.get("multicolumn.pdf")):
            run("show", name or "DOC-?", "--json", label="show a document")
        run("show", ids.get("mou-kr.txt", "DOC-?"), label="show a document (text)")
        run("show", "DOC-999999", "--json", label="no such document: error")
        run("doc", "check", label="doc check", all_stderr=True)

        # fixity
        run("verify", label="verify: all well")
        (self.work / ARCHIVE / "files" / "stray.txt").write_text("not registered\n",
                                                                 encoding="utf-8")
        run("verify", label="verify: a file the register does not know")
        run("verify", "--repair", label="verify --repair")

        # searching
        for args, label in [
            (("pemerdagangan orang",), "Malay words"),
            (("memerangi pemerdagangan", "--country", "Korea Selatan", "--type", "MOU",
              "--year", "2026"), "Malay words, country, type, year signed"),
            (("free trade agreement",), "English words"),
            (("perjanjian perdagangan bebas",), "Malay words, English texts"),
            (("economic partnership", "--country", "Jepun"), "words and a country"),
            (("water", "--year", "2002", "--type", "MOU"), "words, year and type"),
            (("--country", "Australia"), "a country only"),
            (("--level", "serantau"), "level in Malay"),
            (("kerjasama", "--case", a, "--limit", "3"), "within a case, limit"),
            (("--from", "2002-01-01", "--to", "2010-12-31"), "dates"),
            ((), "everything, facets"),
            (("tidakwujudlangsung",), "no hits"),
        ]:
            run("search", *args, "--json", label=f"search: {label}")
        run("search", "free trade agreement", label="search (text)")
        run("reindex", label="reindex")
        run("search", "free trade agreement", "--json", label="search after reindex")
        run("search", "--type", "agreement", "--json", label="search by type after reindex")
        self.tree("the archive at the end", ".")

    # ------------------------------------------------------------------ files

    def tree(self, label: str, under: str) -> None:
        """The archive's files (not the search index's, the register's or caches' insides)."""
        base = self.work / ARCHIVE
        rows = []
        for path in sorted((base / under).rglob("*")):
            rel = path.relative_to(base).as_posix()
            if path.is_file() and not rel.startswith(("index/", ".cache/", "register.")):
                rows.append(self._file_row(rel, path))
        self.runs.append({"label": label, "files": rows})

    def file_record(self, rel: str) -> None:
        path = self.work / rel
        row = self._file_row(rel, path) if path.is_file() else {"path": rel, "missing": True}
        self.runs.append({"label": f"file {rel}", "files": [row]})

    def _file_row(self, rel: str, path: Path) -> dict[str, Any]:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if GENERATED_RE.search(rel):
            # A Word file differs only in its zip entries' times: its size and parts stay.
            word = rel.endswith(".docx")
            self.generated[sha] = not word
            if word:
                return {"path": rel, "size": len(data), "sha256": GENERATED,
                        "parts": _docx_digest(path)}
            return {"path": rel, "size": GENERATED, "sha256": GENERATED}
        if rel.endswith((".reason.txt", ".html")) or len(data) < 1024:
            return {"path": rel, "text": data.decode("utf-8", "replace").splitlines()}
        return {"path": rel, "size": len(data), "sha256": sha}


def _docx_digest(path: Path) -> str:
    """sha256 of a Word file's parts (names and bytes), without the zip entries' times."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            digest.update(name.encode() + b"\0" + z.read(name) + b"\0")
    return digest.hexdigest()


def _first_doc_id(listing: Any) -> str | None:
    try:
        return listing["documents"][0]["made"][0]["doc_id"]
    except (TypeError, KeyError, IndexError):
        return None


def _id(record: dict[str, Any]) -> str:
    out = record["stdout"]
    if record["exit"] != 0 or not out:
        raise SystemExit(f"cannot go on: {record['argv']} gave {record['exit']}: "
                         f"{record['stderr']}")
    return out[0].strip()


def _signed(text: str) -> str:
    """ika.toml with what the archive's owner fills in, as tests/conftest.py does it: every
    signatory named ("Pegawai KKA 1") and every Division's file reference set."""
    out, section = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            m = re.match(r"\[(?:divisions\.)?([A-Za-z0-9_-]+)\]", line)
            section = m.group(1) if m else ""
        if line.startswith('file_ref = ""'):
            line = f'file_ref = "KDN.{section}.100-1/{{year}}/{{seq}}"'
        who = "AB" if section == "organisation" else section
        for n in range(1, line.count('{ name = "", ') + 1):
            line = line.replace('{ name = "", ', f'{{ name = "Pegawai {who} {n}", ', 1)
        out.append(line)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------- normalising


class Normaliser:
    def __init__(self, snap: Snapshot, started: datetime, ended: datetime) -> None:
        paths: dict[str, str] = {}
        for path, token in ((snap.work, "<TMP>"), (snap.corpus, "<CORPUS>"),
                            (snap.root, "<ROOT>")):
            paths[str(path)] = paths[os.path.realpath(path)] = token
        paths[snap.python] = "<PYTHON>"
        # Longest first: one of them may lie inside another.
        self.paths = sorted(paths.items(), key=lambda kv: -len(kv[0]))
        self.generated = snap.generated
        # The wall clock's days (Malaysia time) while the run went on: dates of filing, as
        # ISO dates and as the Malay letters and tables write them ("30 November 2026").
        self.days, day = [], started.date()
        while day <= ended.date():
            self.days += [day.isoformat(), f"{day.day} {MONTHS_MS[day.month - 1]} {day.year}"]
            day += timedelta(days=1)

    def text(self, s: str) -> str:
        for path, token in self.paths:
            s = s.replace(path, token)
        s = TIME_RE.sub("<TIME>", s)
        for day in self.days:
            s = re.sub(rf"(?<![\w-]){re.escape(day)}(?![\w-])", "<NOW-DATE>", s)
        s = OTP_RE.sub(r"\1<OTP>", s)
        return HEX64_RE.sub(lambda m: GENERATED if m.group(0) in self.generated else m.group(0),
                            s)

    def value(self, v: Any) -> Any:
        if isinstance(v, dict):
            if self.generated.get(v.get("sha256")) and isinstance(v.get("size"), int):
                v = {**v, "size": GENERATED}  # a generated PDF: its size varies with its bytes
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, str):
            return self.text(v)
        return v


# ---------------------------------------------------------------------- main


def _check_imports(python: str, root: Path, env: dict[str, str]) -> None:
    """`python ROOT/cli.py` must import ROOT's cli and pipeline, not another checkout's (an
    editable install of one checkout must not shadow the other)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import pipeline, cli; "
            "print(pipeline.__file__); print(cli.__file__)")
    proc = subprocess.run([python, "-c", code, str(root)], capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{python} cannot import cli and pipeline from {root}:\n{proc.stderr}")
    for path in proc.stdout.split():
        if not Path(path).resolve().is_relative_to(root):
            raise SystemExit(f"{path} is not inside {root}: another checkout would run")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Snapshot the `ika` CLI's behaviour as JSON.")
    ap.add_argument("--root", type=Path, required=True, help="the checkout to run (has cli.py)")
    ap.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    ap.add_argument("--python", default=sys.executable,
                    help="the Python with the project's packages (default: this one)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help=f"the shared corpus (default {DEFAULT_CORPUS})")
    ap.add_argument("--today", default=TODAY, help=f"IKA_TODAY (default {TODAY})")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each command's time")
    args = ap.parse_args(argv)

    root = args.root.resolve()
    if not (root / "cli.py").is_file():
        ap.error(f"{root} has no cli.py")
    if not args.corpus.is_dir():
        ap.error(f"no corpus at {args.corpus} (give --corpus)")
    work = Path(tempfile.mkdtemp(prefix="ika-snapshot-"))
    snap = Snapshot(root, args.python, args.corpus.resolve(), work, args.today, args.verbose)
    _check_imports(args.python, root, snap.env)
    t0, started = time.monotonic(), datetime.now(MYT)
    try:
        commands = snap.discover()
        snap.script()
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    norm = Normaliser(snap, started, datetime.now(MYT))
    not_run = sorted(set(commands) - snap.ran - set(SKIPPED))
    commands_run = [r for r in snap.runs if "exit" in r]
    result = {
        "today": args.today,
        "commands": commands,
        "not_run": {**{c: why for c, why in SKIPPED.items() if c in commands},
                    **{c: "not in this script: add it" for c in not_run}},
        "runs": norm.value(snap.runs),
    }
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    skipped = [c for c in SKIPPED if c in commands]
    covered = len(commands) - len(not_run) - len(skipped)
    print(f"{len(commands_run)} commands run, covering {covered} of the {len(commands)} "
          f"commands (not run: {', '.join([*skipped, *not_run])}) in "
          f"{time.monotonic() - t0:.0f}s -> {args.out}", file=sys.stderr)
    return 1 if not_run else 0


if __name__ == "__main__":
    sys.exit(main())
