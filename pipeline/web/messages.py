"""The library's messages in the page's language.

The library (and the CLI) words its refusals and outcomes in English: "completion date
2026-12-01 is in the future", "KDN-...: step 3 is already done; the current step is 2". The
web shows them in Malay unless the user switched to English. Each message the library can
give a web user is listed here as its English wording with its values as %(name)s: that is
the msgid, translated in the Flask-Babel catalogue like every other string of the pages, and
the same text read as a pattern finds the values in a message (the library's text is the
stable form; tests/web/test_web_messages.py holds each web action's message to it).

A message not found whole is read in parts: a leading "ID: " or "kind: " is kept (a kind is
translated), and clauses joined by "; " or " — " are translated each. What still matches
nothing is shown as the library wrote it (better English than nothing).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask_babel import gettext

from .i18n import day, lang, status_name, type_name


def N_(text: str) -> str:
    """Marks a msgid for the catalogue (pybabel extracts N_); translated when shown."""
    return text


# The library's messages as it words them (pipeline/register, documents, filing, vocab).
MESSAGES = (
    # ---- a case: new, edit (pipeline/register/cases.py, vocab)
    N_("a case needs a division"),
    N_("received date %(day)s is in the future"),
    N_("a case needs a title (it cannot be empty)"),
    N_("a title has at most %(max)s characters (this one has %(n)s)"),
    N_("the reason cannot be empty"),
    N_("the %(what)s cannot be empty"),
    N_("a case needs at least one --country"),
    N_("Malaysia is our side: --country names the counterpart(s)"),
    N_("unknown source %(source)s; use one of %(known)s"),
    N_("%(what)s %(day)s is not plausible (use a date from %(first)s to %(last)s)"),
    N_("unknown country %(name)s"),
    N_("unknown country code %(code)s"),
    N_("unknown instrument type %(name)s"),
    N_("unknown level %(name)s"),
    N_("did you mean: %(names)s?"),
    N_("known: %(known)s"),
    N_("%(what)s: %(value)s is not a security marking; use one of %(known)s"),
    N_("nothing to edit: give one of %(fields)s"),
    N_("nothing changed (the values given are the current ones)"),
    N_("%(key)s is not a value the case keeps; these are: %(known)s"),
    N_("%(key)s=%(value)s is not a date (use YYYY-MM-DD)"),
    N_("no case %(case)s; `ika case list` shows the cases"),
    # ---- a case: steps, decision, negotiation, undo, withdrawal
    N_("there is no step %(n)s; the SOP has steps 1 to %(last)s"),
    N_("%(case)s is %(status)s: no step is open"),
    N_("step %(n)s is already done"),
    N_("step %(n)s is skipped on this case's branch"),
    N_("step %(n)s is not the current step"),
    N_("the current step is %(n)s"),
    N_("completion date %(day)s is in the future"),
    N_("decision date %(day)s is before the Minit Cerai was submitted (%(sent)s)"),
    N_("completion date %(day)s is before the previous step's (%(previous)s)"),
    N_("completion date %(day)s is before the negotiation starts (%(start)s)"),
    N_("step %(n)s has no agreed dates yet"),
    N_("set them with `ika case schedule %(case)s --start DATE`"),
    N_("the Minit Cerai was already submitted on %(day)s"),
    N_("record the decision with `ika case decide %(case)s --approve|--reject`"),
    N_("%(case)s was already decided: %(decision)s"),
    N_("--days must be between 1 and %(max)s"),
    N_("%(case)s was not approved (TIDAK): there is no negotiation"),
    N_("%(case)s has no approval yet: decide step %(n)s first"),
    N_("the negotiation (step %(n)s) is already done"),
    N_("the negotiation cannot start (%(start)s) before approval (%(approved)s)"),
    N_("nothing to undo (no step has been completed)"),
    N_("%(case)s is %(status)s: only an open case can be withdrawn"),
    N_("withdrawal date %(day)s is in the future"),
    N_("withdrawal of %(day)s undone"),
    N_("submission of the Minit Cerai on %(day)s undone"),
    N_("step %(n)s reopened (was done %(day)s by %(who)s)"),
    N_("decision %(decision)s of %(day)s undone"),
    N_("step %(n)s reopened"),
    # ---- the notes of a case's history (its events)
    N_("step %(n)s done %(day)s"),
    N_("step %(n)s: Minit Cerai submitted %(day)s"),
    N_("step %(n)s: from %(day)s for %(days)s days"),
    N_("step %(n)s: from %(day)s for %(days)s days at %(venue)s"),
    N_("withdrawn %(day)s"),
    N_("%(field)s: %(old)s -> %(new)s"),
    N_("%(name)s (%(size)s bytes)"),
    N_("%(fields)s from %(caseid)s"),
    N_("from %(caseid)s"),
    N_("to %(caseid)s"),
    N_("from unassigned"),
    N_("the same bytes dropped again as %(name)s on %(when)s"),
    # ---- documents made from the templates (pipeline/documents)
    N_("missing field %(names)s"),
    N_("missing fields %(names)s"),
    N_("give it with %(sets)s"),
    N_("give them with %(sets)s"),
    N_("%(names)s: recorded by %(command)s"),
    N_("%(names)s: not a field IKA Records fills"),
    N_("check the spelling in %(file)s"),
    N_("%(key)s belongs to step %(n)s, which is skipped on this case's branch "
       "(decision %(decision)s)"),
    N_("%(key)s is one letter per addressee: give --to KEY (%(keys)s)"),
    N_("%(key)s is one document: give at most one --to"),
    N_("give the addressee with --to KEY, one of: %(keys)s"),
    N_("no addressee %(key)s in ika.toml [directory]"),
    N_("no addressee %(key)s in ika.toml [directory] or [divisions]"),
    N_("--set %(key)s=%(value)s is not a date (use YYYY-MM-DD)"),
    N_("--set %(key)s: %(value)s is not DARIPADA|YYYY-MM-DD|RINGKASAN"),
    N_("--set %(key)s: %(value)s is a value, not a group"),
    N_("%(what)s must be YA or TIDAK, not %(value)s"),
    N_("step %(n)s (%(name)s) happens only when top management says YA"),
    N_("case %(case)s was decided TIDAK"),
    N_("%(sender)s writes this letter and ika.toml lacks what it needs: fill in %(keys)s"),
    N_("the letter goes to %(name)s, whose address ika.toml lacks: fill in %(where)s"),
    N_("template not found: %(path)s"),
    N_("could not write%(where)s: %(why)s"),
    N_("the archive's folders (%(root)s) must be writable folders with free space"),
    N_("LibreOffice is not installed (soffice not found); install libreoffice-writer-nogui"),
    N_("LibreOffice did not convert %(name)s to PDF%(detail)s"),
    N_("LibreOffice failed (exit %(code)s) converting %(names)s"),
    N_("LibreOffice took longer than %(seconds)s s converting %(names)s"),
    N_("stopped it"),
    # ---- filing: uploads, the failed queue, linking (pipeline/filing)
    N_("encrypted: needs a password (retry with ika file --password)"),
    N_("encrypted: the password is wrong (retry with ika file --password)"),
    N_("encrypted: this PDF's encryption cannot be read on this server; tell IT"),
    N_("encrypted: the Word file is password-protected; save a copy without the password"),
    N_("not a readable PDF"),
    N_("the PDF has no pages"),
    N_("not a readable image"),
    N_("not a readable %(what)s (OCR: %(detail)s)"),
    N_("the file is 0 bytes; copy it again from its source"),
    N_("unsupported file type: old Word .doc; save it as .docx or PDF"),
    N_("unsupported file type: not a Word document (.docx); save it as .docx or PDF"),
    N_("unsupported file type (%(suffix)s); send PDF, .docx, JPEG, PNG, TIFF or .txt"),
    N_("damaged .docx: %(detail)s; open it in Word and save it again"),
    N_("text file over 50 MB; split it"),
    N_(".docx has too many parts"),
    N_(".docx unpacks to over 200 MB"),
    N_(".docx part %(name)s looks like a zip bomb"),
    N_("%(n)s %(what)s, the limit is %(max)s per document (ika.toml [filing] max_pages)"),
    N_("reading it took longer than the time limit of %(seconds)s s per document "
       "(ika.toml [filing] max_seconds_per_document)"),
    N_("split it, or raise the limit and `ika retry`"),
    N_("too large: %(size)s MB, the limit is %(max)s MB (ika.toml [filing] max_size_mb)"),
    N_("empty file (0 bytes): nothing to file"),
    N_("not a regular file (a named pipe, socket or device): left alone"),
    N_("a link, not a document: put the file itself in the inbox"),
    N_("duplicate of %(doc)s (%(name)s, filed %(day)s)"),
    N_("duplicate of %(doc)s (%(name)s)"),
    N_("duplicate of %(doc)s (left where it is)"),
    N_("duplicate of %(doc)s (removed from %(where)s)"),
    N_("link it with `ika file %(doc)s --case %(case)s`"),
    N_("%(name)s changed while it was being filed"),
    N_("try again"),
    N_("could not be filed"),
    N_("no reason recorded"),
    N_("needs OCR"),
    N_("cannot be read (%(why)s)"),
    N_("left where it is"),
    N_("register busy (%(what)s)"),
    N_("still being written (a program has it open for writing)"),
    N_("it will be filed when it is closed"),
    N_("it changed while it was being read"),
    N_("it grew past the size limit while being read"),
    N_("it will be tried again"),
    N_("OCR ran out of time on a page (Tesseract's per-page limit; the server is busy)"),
    N_("OCR was stopped after %(n)s min (time limit)"),
    N_("OCR could not run: %(why)s"),
    N_("OCR failed on this server (exit %(code)s: %(detail)s)"),
    N_("the document itself may be fine"),
    N_("retry with `ika retry`"),
    N_("retry with `ika retry` when the server is less busy"),
    N_("retry with `ika retry` when the server is less busy, or split the scan into smaller "
       "files"),
    N_("retry with `ika retry`, and tell IT if it fails again"),
    N_("nothing in failed/ has the id %(id)s (already filed or set aside?)"),
    N_("say why the document is set aside"),
    N_("no document %(doc)s"),
    N_("no document %(doc)s; `ika search` finds documents"),
    N_("%(doc)s is already in %(case)s"),
    N_("linked  %(doc)s -> %(case)s"),
    N_("step %(steps)s done"),
    N_("suggested case %(case)s: `ika file %(doc)s --case %(case2)s`"),
    N_("sub-folder %(folder)s names no case"),
    N_("sub-folder %(folder)s names several cases: %(cases)s"),
    N_("sub-folder %(folder)s names %(case)s, which is not a known case"),
    N_("sub-folder %(folder)s is not written as a case id"),
    N_("name it %(case)s to file into that case"),
    N_("its file name names several cases: %(cases)s"),
    N_("its file name names %(case)s, which is not a known case"),
    N_("its text names several cases: %(cases)s"),
    N_("its text names %(case)s, which is not a known case"),
    # ---- accounts (the admin page)
    N_("a user name is 1 to 64 printable characters without spaces"),
    N_("unknown Division %(division)s: use a key or name of [divisions] in ika.toml"),
    N_("unknown role %(role)s; use one of %(known)s"),
    N_("no user %(name)s"),
    N_("a division officer needs --division"),
    N_("a password has at least %(n)s characters"),
    N_("user %(name)s exists; `ika user passwd %(name2)s` resets it"),
    # ---- the web's own English (search.py)
    N_("%(value)s is not a date (YYYY-MM-DD)"),
    N_("%(value)s is not a year"),
)

# Words the messages put in their values, and the kinds that lead a filing reason.
WORDS = {
    "received date": N_("received date"), "negotiation start": N_("negotiation start"),
    "date": N_("date"), "title": N_("title"), "reason": N_("reason"),
    "pages": N_("pages"), "frames": N_("frames"), "PDF": N_("PDF"), "image": N_("image"),
    "no extension": N_("no extension"), "inbox": N_("inbox"),
}
KINDS = {
    "damaged": N_("damaged"), "encrypted": N_("encrypted"), "too-large": N_("too-large"),
    "empty": N_("empty"), "unsupported": N_("unsupported"),
}
_VALUE = r"(?P<{}>(?:(?!; | — ).)*?)"  # a value never spans clauses
# Values whose name says what they are: a number, a date, a case id.
_TYPED = {"n": r"\d+", "day": r"\d{4}-\d{2}-\d{2}", "caseid": r"IKA-\d{4}-\d+"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_PREFIX = re.compile(r"(?P<head>[^\s:;]+): (?P<rest>.+)", re.DOTALL)
_CLAUSES = re.compile(r"(; | — )")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _pattern(msgid: str) -> re.Pattern[str]:
    out: list[str] = []
    seen: set[str] = set()
    last = 0
    for m in _PLACEHOLDER.finditer(msgid):
        out.append(re.escape(msgid[last:m.start()]))
        name = m.group(1)
        if name in seen:
            out.append(f"(?P={name})")
        elif name in _TYPED:
            out.append(f"(?P<{name}>{_TYPED[name]})")
        else:
            out.append(_VALUE.format(name))
        seen.add(name)
        last = m.end()
    out.append(re.escape(msgid[last:]))
    return re.compile("".join(out), re.DOTALL)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    # Messages without values first: a fixed text wins over a pattern that would also match.
    ordered = sorted(MESSAGES + FIELD_HELP, key=lambda m: ("%(" in m, -len(m)))
    return tuple((m, _pattern(m)) for m in ordered)


def _value(name: str, value: str) -> str:
    if _ISO_DATE.fullmatch(value):
        return day(value)
    if name == "status":
        return status_name(value)
    if name == "steps":
        return value.replace(" and ", f" {gettext('and')} ")
    if value in WORDS:
        return gettext(WORDS[value])
    if name == "known":  # a list of instrument types: their names in the page's language
        from pipeline.vocab.instruments import TYPES

        ids = {t.id for t in TYPES}
        items = value.split(", ")
        if all(item in ids for item in items):
            return ", ".join(type_name(item) for item in items)
    return value


def _whole(text: str) -> str | None:
    for msgid, pattern in _patterns():
        m = pattern.fullmatch(text)
        if m is not None:
            values = {k: _value(k, v) for k, v in m.groupdict().items()}
            return gettext(msgid, **values) if values else gettext(msgid)
    return None


def _translate(text: str, depth: int = 0) -> str | None:
    """The message in the page's language, or None when no part of it is known."""
    found = _whole(text)
    if found is not None or depth > 2:
        return found
    m = _PREFIX.fullmatch(text)
    if m is not None:
        rest = _translate(m["rest"], depth + 1)
        if rest is not None:
            head = m["head"]
            return f"{gettext(KINDS[head]) if head in KINDS else head}: {rest}"
    head, sep, tail = text.partition(": ")
    if sep and (known := _whole(head)) is not None:  # "step 2 reopened ...: a reason"
        return f"{known}: {_translate(tail, depth + 1) or tail}"
    parts = _CLAUSES.split(text)
    if len(parts) == 1:
        return None
    out = [p if i % 2 else (_translate(p, depth + 1) or p) for i, p in enumerate(parts)]
    translated = "".join(out)
    return translated if translated != text else None


def say(message: Any, *, capital: bool = True) -> str:
    """A library message (or exception) as the page's language says it; `capital`: begin
    it with a capital letter (a sentence of its own, not a part of one)."""
    text = str(message if message is not None else "")
    if not text or lang() == "en":
        return text
    found = _translate(text.strip())
    if found is None:
        return text
    if not capital or found.split(" ", 1)[0] == text.split(" ", 1)[0]:
        return found  # it begins with an id or a key, kept as written
    return found[:1].upper() + found[1:]


# The help of the letters' fields (pipeline/documents/letterfields.py), shown on the forms.
FIELD_HELP = (
    N_("date the comments are due (step 2's due date)"),
    N_("the reference of the request's letter or note (the case's their_ref)"),
    N_("the date of the request's letter or note, YYYY-MM-DD"),
    N_("the number of the embassy's Diplomatic Note (when KLN forwarded it)"),
    N_("the date of the embassy's Diplomatic Note, YYYY-MM-DD"),
    N_("the subject line (printed in capitals)"),
    N_("our file reference (the case's file ref)"),
    N_("the addressee's reference, printed only when known (auto on letters to KLN when KLN "
       "sent the request)"),
    N_("the letter's date, YYYY-MM-DD (default: today)"),
    N_("copies to: ;-separated, directory keys or names (empty: none)"),
    N_("who writes and signs: AB, Division or a [divisions] key, :2 for its second signatory "
       "(AB:2), or just 2 (default: the step's actor, its first signatory)"),
    N_("security marking: TERHAD, SULIT, RAHSIA, RAHSIA BESAR (default: the case's; "
       "`ika doc make --security`)"),
    N_("the Division's own file reference for the case (default: its [divisions] file_ref)"),
    N_("what is enclosed, e.g. 'draf MoU tersebut'"),
    N_("the purpose of the minute (a line break starts a new paragraph)"),
    N_("the background (a line break starts a new paragraph)"),
    N_("comments received: DARIPADA|YYYY-MM-DD|RINGKASAN; ... (DARIPADA may be a directory "
       "key)"),
    N_("the recommendation (a line break starts a new paragraph)"),
    N_("the meeting's date, YYYY-MM-DD"),
    N_("the meeting's time, e.g. '10.00 pagi'"),
    N_("where the meeting is held"),
    N_("agenda items, ;-separated"),
    N_("the BJA invited as well: ;-separated directory keys or names"),
    N_("every invitee, replacing the default KLN, the embassy, AGC (+ bja); the --to "
       "addressees are invited too"),
    N_("contact officer for confirmations"),
    N_("YA or TIDAK (from `ika case decide`)"),
    N_("date of the decision, YYYY-MM-DD (from `ika case decide`)"),
    N_("date of the preparatory meeting (as given for the invitation, else step 4's done "
       "date)"),
    N_("where the meeting was held"),
    N_("who attended the meeting: ;-separated directory keys or names (printed only when "
       "given)"),
    N_("the preparatory meeting's outcome (a line break starts a new paragraph)"),
    N_("why it was not approved (a line break starts a new paragraph)"),
    N_("the embassy or high commission to inform"),
    N_("the preparatory meeting's outcome, if worth telling KLN"),
    N_("why it was not approved"),
    N_("first day of the negotiation (from `ika case schedule`)"),
    N_("last day of the negotiation (from `ika case schedule`)"),
    N_("where it was held (from `ika case schedule --venue`)"),
    N_("what is enclosed"),
)

# What happened, as a case's or a document's history names it (the register's event kinds).
EVENTS = {
    "case.new": N_("case opened"), "case.edit": N_("case edited"),
    "case.value": N_("case detail recorded"), "case.decide": N_("decision recorded"),
    "case.schedule": N_("negotiation dates recorded"), "case.undo": N_("undone"),
    "case.withdraw": N_("case withdrawn"), "step.done": N_("step done"),
    "step.submitted": N_("Minit Cerai submitted"), "doc.filed": N_("document filed"),
    "doc.generated": N_("document made"), "doc.duplicate": N_("duplicate dropped again"),
    "doc.inherited": N_("details taken from the case"), "doc.kind": N_("kind of document"),
    "doc.relink": N_("document linked"), "doc.unlink": N_("document moved to another case"),
    "doc.unassigned": N_("document unassigned"), "upload.failed": N_("upload not filed"),
    "file.set_aside": N_("set aside"), "user.add": N_("user added"),
    "user.role": N_("role changed"), "user.passwd": N_("password set"),
    "user.disable": N_("user disabled"), "user.enable": N_("user enabled"),
    "user.token": N_("API token made"),
}
RAW_NOTES = frozenset({"case.new"})  # the note is data (the title): shown as typed


def event_name(action: str | None) -> str:
    """An event kind (step.done) as the page's language names it; unknown ones as stored."""
    if not action:
        return ""
    return gettext(EVENTS[action]) if action in EVENTS else action


def event_note(event: Any) -> str:
    """An event's note in the page's language (the library's words translated, data kept)."""
    note = event.get("note") if isinstance(event, dict) else getattr(event, "note", None)
    action = event.get("action") if isinstance(event, dict) else getattr(event, "action", None)
    if not note:
        return ""
    return note if action in RAW_NOTES else say(note, capital=False)
