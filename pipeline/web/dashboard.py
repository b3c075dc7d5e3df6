"""Papan pemuka: what is due and overdue (the user's Division's, or all), and the SOP
timeliness chart drawn on the server as SVG."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request

from pipeline.register import cases, roles
from pipeline.serialize import to_json

from .security import archive, me, require

bp = Blueprint("dashboard", __name__)

BAR_WIDTH = 420  # px of a 100 % bar
ROW = 26


def page_args() -> tuple[int, int]:
    """(page number from 1, page size) from the query string, bounded."""
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100000))
    except ValueError:
        page = 1
    return page, current_app.config["PAGE_SIZE"]


def _dashboard_items() -> dict[str, Any]:
    """The dashboard's data with the due rows still as DueItems (not yet JSON). The register
    keeps every part of it per snapshot (`cases.due`, `due_counts`, `timeliness`), so this
    costs little once the snapshot is built."""
    scope = roles.division_scope(me(), "dashboard")
    arc = archive()
    rows = cases.due(arc, only_division=scope)
    counts = cases.due_counts(arc, soon=7, only_division=scope)
    return {"division": scope, "counts": counts, "due": rows,
            "timeliness": cases.timeliness(arc, months=12, only_division=scope)}


def dashboard_data() -> dict[str, Any]:
    """The dashboard's data, as the page and /api/dashboard show it."""
    data = _dashboard_items()
    data["due"] = to_json(data["due"])
    return data


def bars(items: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """Geometry of a horizontal bar chart of on-time shares (presentation only)."""
    out = []
    for i, item in enumerate(items):
        share = item["share"]
        out.append({
            "label": item[label], "y": i * ROW, "done": item["done"],
            "on_time": item["on_time"],
            "width": round((share or 0) * BAR_WIDTH, 1),
            "percent": None if share is None else round(share * 100),
            "tone": "none" if share is None else
            ("good" if share >= 0.9 else "fair" if share >= 0.7 else "poor"),
        })
    return {"rows": out, "height": max(len(out), 1) * ROW, "bar_width": BAR_WIDTH}


@bp.route("/")
@require("dashboard")
def index() -> Any:
    data = _dashboard_items()
    page, size = page_args()
    rows = data["due"]
    pages = max(1, -(-len(rows) // size))
    page = min(page, pages)
    # Only the page shown becomes JSON: the whole list (thousands of open cases with ten
    # thousand in the register) cost most of the request, for fifty rows on the page.
    rows = to_json(rows[(page - 1) * size: page * size])
    t = data["timeliness"]
    step_items = [dict(s, label=f"{s['n']}") for s in t["steps"]]
    return render_template(
        "dashboard.html", data=data, rows=rows, page=page,
        pages=pages, step_chart=bars(step_items, "label"), steps=t["steps"],
        division_chart=bars(t["divisions"], "division"), timeliness=t,
    )
