"""The web server's snapshot of every case (pipeline/register/queries.py): threads that need
the same snapshot at once build it once; the others wait for it and get the same one."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pipeline.archive import open_archive
from pipeline.register import queries

NEW = ["case", "new", "--title", "Kerjasama Pencegahan Pemerdagangan Orang",
       "--type", "mou", "--country", "Korea Selatan",
       "--division", "Bahagian Keselamatan dan Ketenteraman Awam", "--received", "2026-10-01",
       "--source", "embassy"]


def test_concurrent_requests_build_one_snapshot(ika, archive: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        ika(*NEW)
    arc = open_archive(archive)
    builds = []
    slow_load = queries._load_many

    def load_many(conn, where=()):  # slow enough that every thread arrives during the build
        builds.append(threading.get_ident())
        time.sleep(0.3)
        return slow_load(conn, where)

    monkeypatch.setattr(queries, "_load_many", load_many)
    monkeypatch.setattr(queries, "_SNAPSHOTS", {})
    got: list[object] = []
    on = queries.today()
    threads = [threading.Thread(target=lambda: got.append(queries._snapshot(arc, on)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(builds) == 1
    assert len(got) == 8 and all(s is got[0] for s in got)
    assert [case.id for case, _ in got[0]] == [c.id for c in queries.list_cases(arc)]
    assert not queries._BUILDING

    ika("case", "done", got[0][0][0].id, "1", "--date", "2026-10-02")  # a change: rebuilt once
    assert queries._snapshot(arc, on) is not got[0]
    assert len(builds) == 2
    arc.register.dispose()


def test_a_failed_build_lets_the_next_request_try(ika, archive: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ika(*NEW)
    arc = open_archive(archive)
    slow_load = queries._load_many
    calls = []

    def load_many(conn, where=()):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk hiccup")
        return slow_load(conn, where)

    monkeypatch.setattr(queries, "_load_many", load_many)
    monkeypatch.setattr(queries, "_SNAPSHOTS", {})
    with pytest.raises(RuntimeError):
        queries._snapshot(arc, queries.today())
    assert not queries._BUILDING
    assert len(queries._snapshot(arc, queries.today())) == 1
    arc.register.dispose()
