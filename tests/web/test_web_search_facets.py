"""The search page's facets as checkboxes: the URL holds every ticked value; a facet the
library takes several values of (kind) gets them all (OR within it), the others their first
ticked value, and the page says so."""

from __future__ import annotations

import re
from typing import Any

import pytest

import pipeline.web.search as web_search


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake(arc: Any, query: str | None, **filters: Any) -> dict[str, Any]:
        calls.append({"q": query, **filters})
        return {"total": 0, "hits": [], "facets": {
            "country": {"ID": 3, "TH": 2, "SG": 1}, "type": {"mou": 4, "agreement": 2},
            "kind": {"instrument": 4, "correspondence": 2}, "year": {"2026": 5, "2025": 1}}}

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
    assert call["kind"] == ["instrument", "correspondence"]  # every one: OR within the facet
    # The library takes one country, type and year: the first ticked (told to the lead).
    assert (call["country"], call["type"], call["year"]) == ("ID", "mou", 2026)
    # The page says which facets still take one value, in Malay.
    assert 'data-single="country"' in page and 'data-single="year"' in page
    assert 'data-single="kind"' not in page and 'data-single="type"' not in page
    assert "hanya yang pertama ditanda digunakan" in page
    # The form is a GET of checkboxes: submitting it gives the same URL back.
    assert 'method="get"' in page and page.count('type="checkbox"') >= 9


def test_a_facet_that_takes_lists_gets_them_all(login, seen, monkeypatch) -> None:
    """When the library accepts a list for a facet, naming it in MULTI_VALUE is the only change."""
    monkeypatch.setattr(web_search, "MULTI_VALUE", frozenset({"kind", "country", "year"}))
    c = login("reader")
    page = c.get("/search?country=ID&country=TH&year=2026&year=2025").text
    assert seen[-1]["country"] == ["ID", "TH"] and seen[-1]["year"] == [2026, 2025]
    assert "data-single" not in page


def test_a_year_that_is_no_number_is_a_message(login, seen) -> None:
    c = login("reader")
    r = c.get("/search?year=2026&year=dua")
    assert r.status_code == 200 and "bukan tahun" in r.text
