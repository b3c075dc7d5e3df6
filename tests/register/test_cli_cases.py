"""The case register end to end through the `ika` command, on a real SQLite register."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import as_json

NEW = ["case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
       "--type", "Memorandum Persefahaman", "--country", "Korea Selatan",
       "--division", "Bahagian Keselamatan dan Ketenteraman Awam"]


def new_case(ika, *extra: str, received: str = "2026-10-01") -> str:
    return ika(*NEW, "--received", received, *extra).stdout.strip()


def statuses(ika, case_id: str) -> dict[int, str]:
    data = as_json(ika("case", "show", case_id, "--json"))
    return {s["n"]: s["status"] for s in data["steps"]}


def test_ya_path_end_to_end(ika) -> None:
    case_id = new_case(ika, "--source", "embassy")
    assert case_id == "IKA-2026-0001"
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["countries"] == ["KR"]
    assert data["type"] == "mou"
    assert data["level"] == "bilateral"
    assert data["status"] == "open" and data["current_step"] == 1
    assert data["steps"][0]["due"] == "2026-10-05"  # 1 Oct + 3 = Sun 4 Oct -> Mon 5 Oct
    assert data["target_date"] == "2026-11-05"
    for key in ("id", "title", "type", "level", "countries", "division", "status",
                "current_step", "received", "steps"):
        assert key in data
    assert set(data["steps"][0]) >= {"n", "name", "actor", "due", "done", "status"}

    ika("case", "done", case_id, "1", "--date", "2026-10-02", "--by", "Aminah")
    ika("case", "done", case_id, "2", "--date", "2026-10-14", "--note", "ulasan PDRM, AGC")
    out = ika("case", "decide", case_id, "--approve", "--date", "2026-10-16").stdout
    assert "next step 4" in out
    ika("case", "done", case_id, "4", "--date", "2026-10-19")
    ika("case", "done", case_id, "5", "--date", "2026-10-20")
    ika("case", "done", case_id, "6", "--date", "2026-10-21")
    assert statuses(ika, case_id)[7] == "waiting"
    res = ika("case", "done", case_id, "7", expect=1)
    assert "ika case schedule" in res.output
    ika("case", "schedule", case_id, "--start", "2026-11-02", "--venue", "Seoul")
    data = as_json(ika("case", "show", case_id, "--json"))
    step7 = data["steps"][6]
    assert step7["due"] == "2026-11-04" and step7["status"] == "overdue"  # as of 27 Nov
    res = ika("case", "done", case_id, "7", "--date", "2026-11-01", expect=1)
    assert "before the negotiation starts" in res.output
    ika("case", "done", case_id, "7", "--date", "2026-11-04")
    ika("case", "done", case_id, "8", "--date", "2026-11-05")
    out = ika("case", "done", case_id, "9", "--date", "2026-11-06").stdout
    assert "case closed" in out
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["status"] == "closed" and data["current_step"] is None
    assert all(s["status"] == "done" for s in data["steps"])
    assert data["decision"] == "YA"
    history = data["history"]
    assert history[0]["action"] == "case.new"
    assert any(e["by"] == "Aminah" and "step 1" in (e["note"] or "") for e in history)
    assert history[-1]["action"] == "case.closed"
    assert [c["id"] for c in as_json(ika("case", "list", "--status", "closed", "--json"))] == [
        case_id
    ]


def test_tidak_path_end_to_end(ika) -> None:
    case_id = new_case(ika, "--type", "Triti", "--country", "Singapura")
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["type"] == "treaty"
    assert data["countries"] == ["KR", "SG"] and data["level"] == "multilateral"
    ika("case", "done", case_id, "1", "--date", "2026-10-02")
    ika("case", "done", case_id, "2", "--date", "2026-10-14")
    ika("case", "decide", case_id, "--reject", "--date", "2026-10-15", "--note", "belum sesuai")
    st = statuses(ika, case_id)
    assert st[4] == st[7] == st[8] == st[9] == "skipped"
    assert st[5] == "overdue"  # due 19 Oct, as of 27 Nov
    # wrong branch: step 4 is skipped, and there is no negotiation to schedule
    assert "skipped" in ika("case", "done", case_id, "4", expect=1).output
    assert "TIDAK" in ika("case", "schedule", case_id, "--start", "2026-11-02", expect=1).output
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["steps"][4]["due"] == "2026-10-19"  # 15 Oct + 3 = Sun 18 -> Mon 19
    ika("case", "done", case_id, "5", "--date", "2026-10-16")
    out = ika("case", "done", case_id, "6", "--date", "2026-10-19").stdout
    assert "case rejected" in out
    data = as_json(ika("case", "show", case_id, "--json"))
    assert data["status"] == "rejected" and data["decision"] == "TIDAK"
    assert "no step is open" in ika("case", "done", case_id, "7", expect=1).output


def test_due_lists_overdue_first_and_marks_them(ika) -> None:
    late = new_case(ika, received="2026-11-02")  # step 1 due 5 Nov: overdue on 27 Nov
    fresh = new_case(ika, received="2026-11-26")  # due 30 Nov (Sun 29 -> Mon 30)
    rows = as_json(ika("due", "--json"))
    assert [r["case"] for r in rows] == [late, fresh]
    assert rows[0]["overdue_days"] == 22 and rows[1]["overdue_days"] == 0
    assert set(rows[0]) >= {"case", "step", "name", "actor", "due", "overdue_days"}
    text = ika("due").stdout
    assert "OVERDUE 22d" in text and "5 November 2026" in text
    assert [r["case"] for r in as_json(ika("due", "--within", "0", "--json"))] == [late]
    assert [c["id"] for c in as_json(ika("case", "list", "--overdue", "--json"))] == [late]
    shown = ika("case", "show", late).stdout
    assert "OVERDUE" in shown and "Korea Selatan" in shown


def test_list_filters(ika) -> None:
    a = new_case(ika)
    b = ika("case", "new", "--title", "Ekstradisi", "--type", "treaty", "--country", "THA",
            "--division", "BKA", "--received", "2026-10-01").stdout.strip()
    assert [c["id"] for c in as_json(ika("case", "list", "--country", "Thailand", "--json"))] == [b]
    assert [c["id"] for c in as_json(ika("case", "list", "--type", "MOU", "--json"))] == [a]
    assert "2 case(s)" in ika("case", "list").stdout


def test_asean_counterpart_is_regional(ika) -> None:
    case_id = ika("case", "new", "--title", "Pelan Tindakan Jenayah Rentas Sempadan",
                  "--type", "Pelan Tindakan", "--country", "ASEAN", "--division", "BKA").stdout
    data = as_json(ika("case", "show", case_id.strip(), "--json"))
    assert data["level"] == "regional" and data["type"] == "action-plan"
    assert "serantau · ASEAN" in ika("case", "show", case_id.strip()).stdout


def test_completion_dates_are_checked(ika) -> None:
    case_id = new_case(ika)
    ika("case", "done", case_id, "1", "--date", "2026-10-05")
    assert "before the previous" in ika("case", "done", case_id, "2", "--date", "2026-10-04",
                                        expect=1).output
    assert "future" in ika("case", "done", case_id, "2", "--date", "2026-12-01", expect=1).output
    res = ika("case", "done", case_id, "2", "--date", "2026-13-01", expect=2)
    assert "not a date" in res.output
    # nothing was written by the refused attempts
    assert statuses(ika, case_id)[2] == "overdue"


@pytest.mark.parametrize(
    "args, message",
    [
        (["case", "show", "IKA-2026-9999"], "no case 'IKA-2026-9999'"),
        (["case", "done", "IKA-2026-0001", "3"], "current step is 1"),
        (["case", "undo", "IKA-2026-0001", "--reason", "x"], "nothing to undo"),
        (["case", "undo", "IKA-2026-0001", "--reason", "  "], "reason cannot be empty"),
        (["case", "edit", "IKA-2026-0001"], "nothing to edit"),
        (["case", "edit", "IKA-2026-0001", "--title", " "], "title (it cannot be empty)"),
        (["case", "edit", "IKA-2026-0001", "--country", "MY"], "counterpart"),
        (["case", "edit", "IKA-2026-0009", "--title", "X"], "no case"),
        (["case", "withdraw", "IKA-2026-0001", "--reason", ""], "reason cannot be empty"),
        (["case", "withdraw", "IKA-2026-0001", "--reason", "x", "--date", "9999-12-28"],
         "not plausible"),
        (["case", "new", *NEW[2:], "--received", "1900-01-01"], "not plausible"),
        (["case", "done", "IKA-2026-0001", "2"], "current step is 1"),
        (["case", "done", "IKA-2026-0001", "12"], "no step 12"),
        (["case", "schedule", "IKA-2026-0001", "--start", "2026-11-01"], "no approval"),
        (["case", "new", *NEW[2:-2], "--country", "Singapra", "--division", "X"],
         "did you mean"),
        (["case", "new", "--title", "T", "--type", "Memorandum Persefahamn", "--country", "SG",
          "--division", "X"], "did you mean"),
        (["case", "new", "--title", "T", "--type", "mou", "--country", "Malaysia",
          "--division", "X"], "counterpart"),
    ],
)
def test_errors_are_one_clean_line(ika, args: list[str], message: str) -> None:
    new_case(ika)
    res = ika(*args, expect=1)
    assert res.output.startswith("Error: ")
    assert message in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_unknown_country_suggests_closest(ika) -> None:
    res = ika("case", "new", "--title", "T", "--type", "mou", "--country", "Singapra",
              "--division", "X", expect=1)
    assert "Singapura" in res.output
    assert as_json(ika("case", "list", "--json")) == []  # no half-written case


def test_decide_needs_a_choice(ika) -> None:
    case_id = new_case(ika)
    assert ika("case", "decide", case_id, expect=2).exit_code == 2


def test_no_archive_says_init(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["due", "--archive", str(tmp_path / "nowhere")])
    assert res.exit_code == 1
    assert "ika init" in res.output and "Traceback" not in res.output


def test_register_from_newer_version_is_refused(ika, archive: Path) -> None:
    with sqlite3.connect(archive / "register.sqlite3") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    res = ika("due", expect=1)
    assert "newer version" in res.output


def test_init_is_idempotent_and_keeps_settings(archive: Path) -> None:
    toml = archive / "ika.toml"
    toml.write_text(toml.read_text().replace('state = "PJY"', 'state = "KDH"'))
    res = CliRunner().invoke(main, ["init", "--archive", str(archive)])
    assert res.exit_code == 0 and "nothing overwritten" in res.output
    assert 'state = "KDH"' in toml.read_text()


def test_kedah_archive_moves_friday_deadline_to_sunday(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("IKA_TODAY", "2026-11-27")
    root = tmp_path / "kedah"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--archive", str(root), "--state", "KDH"]).exit_code == 0
    res = runner.invoke(main, [*NEW, "--received", "2026-04-07", "--archive", str(root)])
    case_id = res.stdout.strip()
    res = runner.invoke(main, ["case", "show", case_id, "--json", "--archive", str(root)])
    assert as_json(res)["steps"][0]["due"] == "2026-04-12"


def test_extra_holiday_from_settings_moves_deadline(ika, archive: Path) -> None:
    toml = archive / "ika.toml"
    text = toml.read_text().replace(
        '# "2026-12-07" = "Cuti Peristiwa"', '"2026-10-05" = "Cuti Peristiwa"'
    )
    toml.write_text(text)
    case_id = new_case(ika)
    assert as_json(ika("case", "show", case_id, "--json"))["steps"][0]["due"] == "2026-10-06"


def test_every_command_has_help() -> None:
    def walk(cmd: click.Command, path: list[str]) -> None:
        assert cmd.help, f"{' '.join(path)} has no help"
        res = CliRunner().invoke(main, [*path[1:], "--help"])
        assert res.exit_code == 0, path
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])

    walk(main, ["ika"])
