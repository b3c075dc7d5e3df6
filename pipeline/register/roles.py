"""Who may do what: the roles of the accounts, declared once, as data.

The web face asks `can(user, action, case_division)` before every page and every change, on
the server; a Division officer's reach is the cases of their own Division (`same_division`).
Kept in the library so that the rule is one table, tested on its own, whatever face asks.
"""

from __future__ import annotations

from typing import Protocol

from pipeline.register.cases import same_division

ALL_CASES = "all"  # the role reaches every case
OWN_DIVISION = "own"  # only the cases of the user's own Division

# action -> role -> reach. A role not listed may not do it at all.
RULES: dict[str, dict[str, str]] = {
    # read
    "dashboard": {r: ALL_CASES for r in ("admin", "ab", "clerk", "reader")} | {
        "division": OWN_DIVISION},
    "case.read": {r: ALL_CASES for r in ("admin", "ab", "clerk", "reader")} | {
        "division": OWN_DIVISION},
    "doc.read": {r: ALL_CASES for r in ("admin", "ab", "clerk", "reader")} | {
        "division": OWN_DIVISION},
    "search": {r: ALL_CASES for r in ("admin", "ab", "clerk", "reader")} | {
        "division": OWN_DIVISION},
    # act on cases: open, complete steps, decide, schedule, edit, undo, withdraw, make
    # documents, upload a document into a case
    "case.new": {"admin": ALL_CASES, "ab": ALL_CASES, "division": OWN_DIVISION},
    "case.act": {"admin": ALL_CASES, "ab": ALL_CASES, "division": OWN_DIVISION},
    # filing: the inbox, the unassigned queue (link), failed/ (retry, set aside)
    "inbox": {"admin": ALL_CASES, "ab": ALL_CASES, "clerk": ALL_CASES},
    # accounts and the directory
    "admin": {"admin": ALL_CASES},
}
ACTIONS = tuple(RULES)


class Person(Protocol):
    role: str
    division: str | None


def reach(user: Person, action: str) -> str | None:
    """ALL_CASES, OWN_DIVISION, or None when the role may not do `action` at all."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")
    return RULES[action].get(user.role)


def allowed(user: Person, action: str) -> bool:
    """Whether the role may use `action` at all (a page, a form); `can` decides per case."""
    return reach(user, action) is not None


def can(user: Person, action: str, case_division: str | None = None) -> bool:
    """Whether `user` may do `action` — on a case of `case_division` when one is given.
    A Division officer reaches only the cases of their own Division, and nothing that belongs
    to no case (unassigned documents are the clerks')."""
    scope = reach(user, action)
    if scope is None:
        return False
    if scope == ALL_CASES:
        return True
    if case_division is None:
        return False
    return bool(user.division) and same_division(case_division, user.division or "")


def division_scope(user: Person, action: str) -> str | None:
    """The Division a list must be limited to for this user (None: no limit)."""
    return user.division if reach(user, action) == OWN_DIVISION else None
