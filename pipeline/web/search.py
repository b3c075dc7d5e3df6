"""Carian: a query box, filters and facet checkboxes, ranked hits with their highlighted
snippets. The URL holds the whole query, so a search can be shared."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request

from pipeline.errors import IkaError
from pipeline.register import cases, roles
from pipeline.search import SearchResult
from pipeline.search import search as search_archive

from .security import archive, me, require

bp = Blueprint("search", __name__)

FACETS = ("country", "type", "level", "kind", "year")
# The facets of which `pipeline.search.search` takes several values (OR within the facet, AND
# across facets): all of them now. A facet's counts leave out its own filter, so its other
# values stay there to tick. A facet left out of this set would get only its first ticked
# value, and the page would say so.
MULTI_VALUE = frozenset(FACETS)
MAX_RESULTS = 1000


def _day(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise IkaError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def search_args() -> tuple[str | None, dict[str, Any]]:
    """The query and filters of the URL, as `pipeline.search.search` takes them: every ticked
    value of a facet in MULTI_VALUE, the first ticked of the others. A value may be a comma
    list (?country=ID,TH&year=2024,2025), as `ika search` takes it."""
    a = request.args
    query = (a.get("q") or "").strip() or None
    filters: dict[str, Any] = {}
    for name, values in ticked().items():
        if name == "year":
            years = []
            for v in (part.strip() for value in values for part in value.split(",")):
                if not v:
                    continue
                try:
                    years.append(int(v))
                except ValueError:
                    raise IkaError(f"{v!r} is not a year") from None
            if not years:
                continue
            filters[name] = years if name in MULTI_VALUE else years[0]
        else:
            filters[name] = values if name in MULTI_VALUE else values[0]
    if (a.get("case") or "").strip():
        filters["case"] = a["case"].strip()
    for key, name in (("date_from", "from"), ("date_to", "to")):
        value = _day(name)
        if value is not None:
            filters[key] = value
    scope = roles.division_scope(me(), "search")
    if scope is not None:
        filters["within_cases"] = cases.case_ids(archive(), only_division=scope)
    return query, filters


def ticked() -> dict[str, list[str]]:
    """The values of each facet in the URL (?country=ID&country=TH), blanks and repeats out."""
    out: dict[str, list[str]] = {}
    for name in FACETS:
        values = list(dict.fromkeys(v.strip() for v in request.args.getlist(name) if v.strip()))
        if values:
            out[name] = values
    return out


def run_search(limit: int) -> SearchResult:
    query, filters = search_args()
    return search_archive(archive(), query, limit=max(1, min(limit, MAX_RESULTS)), **filters)


def url_with(**changes: Any) -> str:
    """This search's URL with some parameters changed (None removes one)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    for k, v in changes.items():
        if v is not None:
            args.append((k, v))
    return "?" + urlencode(args)


@bp.route("/search")
@require("search")
def index() -> Any:
    size = max(1, current_app.config["PAGE_SIZE"] * 2 // 5)  # 20 hits: snippets cost
    try:
        page = max(1, min(int(request.args.get("page", 1)), MAX_RESULTS // size))
    except ValueError:
        page = 1
    error = None
    try:
        result = run_search(page * size)
    except IkaError as exc:
        error = str(exc)
        result = SearchResult()
    hits = result.hits[(page - 1) * size:]
    pages = max(1, -(-min(result.total, MAX_RESULTS) // size))
    chosen = {name: ticked().get(name, []) for name in FACETS}
    single = {name: values[0] for name, values in chosen.items()
              if name not in MULTI_VALUE and len(values) > 1}  # the one value that applies
    return render_template("search.html", result=result, hits=hits, page=page, pages=pages,
                           q=request.args.get("q", ""), args=request.args, chosen=chosen,
                           single=single, error=error, url_with=url_with,
                           offset=(page - 1) * size)
