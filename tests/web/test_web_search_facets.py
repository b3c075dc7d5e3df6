"""The search page's facets as checkboxes: the URL holds every ticked value, and every facet
(country, type, level, kind, year) gets them all (OR within it, AND across facets); a facet's
counts leave out its own filter, so the values one may tick too stay listed."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.web.search as web_search
from pipeline.search.hits import SearchResult


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake(arc: Any, query: str | None, **filters: Any) -> SearchResult:
        calls.append({"q": query, **filters})
        return SearchResult(total=0, hits=(), facets={
            "country": {"ID": 3, "TH": 2, "SG": 1}, "type": {"mou": 4, "agreement": 2},
            "kind": {"instrument": 4, "correspondence": 2}, "year": {"2026": 5, "2025": 1}})

    monkeypatch.setattr(web_search, "search_archive", fake)
    return calls


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)" checked', html)


def test_every_ticked_value_stays_in_the_url_and_ticked(login, seen) -> None:
    c = login("reader")
    url = ("/search?q=kerjasama&country=ID&country=TH&type=mou&kind=instrument"
           "&kind=correspondence&year=2026&year=2025&kind=instrument")
    page = c.get(url).text
    assert checked(page, "country") == ["ID", "TH"]
    assert checked(page, "kind") == ["instrument", "correspondence"]
    assert checked(page, "year") == ["2026", "2025"]
    assert checked(page, "type") == ["mou"]
    call = seen[-1]
    assert call["q"] == "kerjasama"
    # every ticked value of every facet, in the order ticked, once: OR within the facet
    assert call["kind"] == ["instrument", "correspondence"]
    assert (call["country"], call["type"], call["year"]) == (["ID", "TH"], ["mou"], [2026, 2025])
    assert "level" not in call
    # no facet takes one value only now: the page has no such hint
    assert "data-single" not in page and "hanya yang pertama ditanda digunakan" not in page
    # The form is a GET of checkboxes: submitting it gives the same URL back.
    assert 'method="get"' in page and page.count('type="checkbox"') >= 9


def test_every_facet_takes_several_values(login, seen) -> None:
    assert frozenset(web_search.FACETS) == web_search.MULTI_VALUE
    c = login("reader")
    c.get("/search?level=bilateral&level=regional&type=mou&type=treaty")
    assert seen[-1]["level"] == ["bilateral", "regional"] and seen[-1]["type"] == ["mou", "treaty"]
    api = c.get("/api/search?country=ID&country=Korea%20Selatan&year=2024&year=2025&kind=surat")
    assert api.status_code == 200
    assert (seen[-1]["country"], seen[-1]["year"], seen[-1]["kind"]) == (
        ["ID", "Korea Selatan"], [2024, 2025], ["surat"])


def test_a_facet_left_out_of_multi_value_gets_its_first_ticked(login, seen, monkeypatch) -> None:
    """Should a facet ever take one value again, leaving it out of MULTI_VALUE is the change:
    the library gets its first ticked value, and the page says so in Malay."""
    monkeypatch.setattr(web_search, "MULTI_VALUE", frozenset({"kind", "type"}))
    c = login("reader")
    page = c.get("/search?country=ID&country=TH&year=2026&year=2025&type=mou").text
    assert seen[-1]["country"] == "ID" and seen[-1]["year"] == 2026
    assert seen[-1]["type"] == ["mou"]
    assert 'data-single="country"' in page and 'data-single="year"' in page
    assert 'data-single="type"' not in page
    assert "hanya yang pertama ditanda digunakan" in page


VALUES = {"country": ("ID", "TH", "SG", "Korea Selatan"), "type": ("mou", "agreement", "Triti"),
          "level": ("bilateral", "serantau"), "kind": ("instrument", "surat"),
          "year": ("2026", "2025", "2004")}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ticks=st.fixed_dictionaries(
    {name: st.lists(st.sampled_from(values), max_size=4) for name, values in VALUES.items()}))
def test_property_the_library_gets_every_ticked_value_once(login, seen, ticks) -> None:
    """Whatever is ticked, in whatever order, repeated or not: each facet reaches the library
    as its ticked values in the order first ticked, each once; the page keeps them ticked."""
    pairs = [(name, v) for name, values in ticks.items() for v in values]
    c = login("reader")
    page = c.get("/search?" + urlencode(pairs)).text
    call = seen[-1]
    for name, values in ticks.items():
        once = list(dict.fromkeys(values))
        if not once:
            assert name not in call
            continue
        assert call[name] == ([int(v) for v in once] if name == "year" else once)
        assert set(checked(page, name)) == set(once)


def test_a_year_that_is_no_number_is_a_message(login, seen) -> None:
    c = login("reader")
    r = c.get("/search?year=2026&year=dua")
    assert r.status_code == 200 and "bukan tahun" in r.text


LETTERS = {
    "mou-indonesia.txt": (
        "MEMORANDUM PERSEFAHAMAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN REPUBLIK INDONESIA "
        "MENGENAI KERJASAMA PENCEGAHAN PEMERDAGANGAN ORANG\n\nKerajaan Malaysia dan Kerajaan "
        "Republik Indonesia bersetuju untuk merundingkan kerjasama. Dibuat di Putrajaya pada "
        "3 Mac 2025."),
    "triti-korea.txt": (
        "TRITI ANTARA MALAYSIA DAN REPUBLIK KOREA MENGENAI BANTUAN BERSAMA DALAM PERKARA "
        "JENAYAH\n\nMalaysia dan Republik Korea bersetuju bahawa rundingan telah selesai. "
        "Dibuat di Seoul pada 12 Jun 2024."),
    "perjanjian-thailand.txt": (
        "PERJANJIAN ANTARA KERAJAAN MALAYSIA DAN KERAJAAN THAILAND MENGENAI KERJASAMA "
        "PERTAHANAN\n\nKerajaan Malaysia dan Kerajaan Thailand bersetuju untuk bekerjasama. "
        "Dibuat di Bangkok pada 5 Mei 2023."),
}


def test_several_values_search_a_real_archive(web_archive, login) -> None:
    """Over filed documents: several countries (any name) find any of them, AND the other
    facets; a facet's counts leave out its own filter, so the country not ticked stays listed."""
    import io

    from pipeline.archive import open_archive
    from pipeline.filing import uploads

    arc = open_archive(web_archive)
    for name, text in LETTERS.items():
        outcome = uploads.file_upload(arc, name, io.BytesIO(text.encode()), by="setup")
        assert outcome.status == "filed", outcome
    c = login("reader")

    def found(query: str) -> dict:
        r = c.get("/api/search?" + query)
        assert r.status_code == 200, r.text
        return r.json

    every = found("")
    assert every["total"] == 3 and set(every["facets"]["country"]) == {"ID", "KR", "TH"}
    indonesia, korea = found("country=Indonesia"), found("country=KR")
    both = found("country=Indonesia&country=Korea%20Selatan")
    assert both["total"] == 2
    assert {h["doc_id"] for h in both["hits"]} == (
        {h["doc_id"] for h in indonesia["hits"]} | {h["doc_id"] for h in korea["hits"]})
    assert found("country=ID,South%20Korea") == both
    assert both["facets"]["country"] == every["facets"]["country"]  # TH stays to tick
    assert both["facets"]["type"] == {"mou": 1, "treaty": 1}
    assert found("country=ID&country=KR&year=2024")["total"] == 1  # AND across facets
    several = found("country=ID&country=KR&year=2024&year=2025")
    assert several["total"] == 2 and found("country=ID,KR&year=2024,2025") == several
    assert found("type=mou&type=Triti&level=bilateral")["total"] == 2
    page = c.get("/search?country=ID&country=KR").text
    assert checked(page, "country") == ["ID", "KR"]
    assert 'name="country" value="TH" ' in page and 'value="TH" checked' not in page
    assert "2 dokumen" in page
