"""The documents the SOP's steps call for, written from Word templates the Division can edit.

`build_context` turns a case (the register's dict) into the templates' Malay field names;
`render` fills a .docx with docxtpl and refuses to write a letter with a blank where a value
belongs (templatetags.py names what Word broke; templatecheck.py backs `ika doc check`).
No database here: the caller passes the case in and files the result.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from . import sop
from .countries import country_name_ms, is_grouping, join_ms
from .errors import TemplateError
from .instruments import level_name_ms, type_name_ms
from .letterfields import SUMMARY_KEY, document_of, fields
from .malay import malay_date, malay_weekday
from .settings import Settings
from .templatetags import check_leftovers, check_syntax, lonely_tag_problems

if TYPE_CHECKING:
    pass

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
SUMMARY_TEMPLATE = "case-summary.html.j2"
DIVISION = "Division"  # the pseudo-addressee "the case's Division"

# Who a document goes to when no --to is given (a key of ika.toml's [directory]).
DEFAULT_TO: dict[str, str | None] = {
    "makluman-bahagian": DIVISION,
    "permohonan-ulasan": None,  # one letter per addressee: --to is required
    "minit-cerai": "PENGURUSAN",
    "jemputan-mesyuarat": "KLN",
    "makluman-keputusan": "AB",
    "memo-kln": "KLN",
    "serahan-dokumen": "AB",
}

# Countries that keep a High Commission (Suruhanjaya Tinggi), not an Embassy, in Kuala Lumpur.
# fmt: off
_COMMONWEALTH = frozenset({
    "AU", "BD", "BN", "BW", "CA", "CM", "CY", "FJ", "GB", "GH", "GM", "GY", "IN", "JM",
    "KE", "LK", "MT", "MU", "MV", "MW", "MZ", "NA", "NG", "NZ", "PG", "PK", "RW", "SB",
    "SG", "SL", "SZ", "TO", "TT", "TZ", "UG", "VU", "WS", "ZA", "ZM",
})
# fmt: on

_SOURCES = {
    "kln": "Kementerian Luar Negeri",
    "management": "Pengurusan Tinggi Kementerian Dalam Negeri",
}

_STATUS_MS = {
    "done": "Selesai",
    "open": "Dalam tindakan",
    "overdue": "Lewat",
    "waiting": "Menunggu jadual",
    "skipped": "Dilangkau (TIDAK)",
}
_CASE_STATUS_MS = {"open": "Dalam tindakan", "closed": "Selesai", "rejected": "Tidak diluluskan"}


# ---------------------------------------------------------------- context


def build_context(
    case: Mapping[str, Any],
    doc_key: str,
    settings: Settings,
    *,
    to_key: str | None = None,
    overrides: Mapping[str, str] | None = None,
    today: date,
) -> dict[str, Any]:
    """Everything a template may print, in Malay, from the case, ika.toml and `--set` values.

    Unknown values are left out (not None) so that render() can name them; `overrides`
    replace anything, dotted keys (`kepada.nama`) reach into nested values.
    """
    overrides = dict(overrides or {})
    decision = _decision(case.get("decision"), "the case's decision")
    step: sop.Step | None = None
    document: sop.Document | None = None
    if doc_key != SUMMARY_KEY:
        step, document = document_of(doc_key)
        if not sop.applies(step, decision):
            raise TemplateError(
                f"{doc_key}: step {step.n} ({step.name}) happens only when top management "
                f"says YA; case {case.get('id')} was decided TIDAK"
            )
    org = settings.organisation
    directory = settings.directory
    kes = _case_values(case)
    ctx: dict[str, Any] = {
        "dokumen": {
            "kunci": doc_key,
            "tajuk": document.title if document else "Ringkasan Kes",
            "langkah": step.n if step else None,
        },
        "organisasi": _organisation(org),
        "slogan": [str(s) for s in org.get("slogans") or ["BERKHIDMAT UNTUK NEGARA"]],
        "tarikh": malay_date(today),
        "ruj_kami": case.get("file_ref"),
        "ruj_tuan": case.get("their_ref"),
        "perkara": f"Rundingan {kes['perihal']}",
        "kes": kes,
        "keputusan": decision,
        "tarikh_keputusan": _ms(case.get("decision_date")),
        "rundingan": _negotiation(case),
    }
    if step is None:
        ctx.update(_summary_values(case, today))
    else:
        ctx["langkah"] = _step_values(case, step.n)
        ctx["kepada"] = _addressee(doc_key, case, settings, to_key)
        # "Ruj. Tuan" is the addressee's own reference: the case's their_ref is that of
        # whoever sent the request, so it belongs only on letters back to KLN.
        if not (case.get("source") == "kln" and ctx["kepada"].get("kunci") == "KLN"):
            ctx["ruj_tuan"] = None
        signatory_key = overrides.pop("signatory", None) or step.actor
        ctx["penandatangan"] = _signatory(signatory_key, case, settings)
        ctx["kepala"] = _letterhead(org, ctx["penandatangan"], signatory_key == "AB")
        ctx["sk"] = _copies(doc_key, case, org, directory)
        ctx.update(_document_defaults(doc_key, case, kes, directory))
    specs = {f.name: f for f in (fields(doc_key) if step else [])}
    for key, raw in overrides.items():
        spec = specs.get(key)
        value = _parse_value(doc_key, key, spec.kind if spec else "text", raw, directory)
        _set_dotted(ctx, doc_key, key, value)
    _derive(ctx, doc_key, overrides, directory)
    return ctx


def _decision(value: Any, what: str) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).strip().upper()
    if text not in ("YA", "TIDAK"):
        raise TemplateError(f"{what} must be YA or TIDAK, not {value!r}")
    return text


def _ms(iso: str | None) -> str | None:
    """An ISO date from the register as a Malay date; None stays None (then it is missing)."""
    return malay_date(date.fromisoformat(iso)) if iso else None


def _ms_day(iso: str | None) -> str | None:
    if not iso:
        return None
    d = date.fromisoformat(iso)
    return f"{malay_date(d)} ({malay_weekday(d)})"


def _organisation(org: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "nama": org.get("name"),
        "bahagian": org.get("division"),
        "alamat": _lines(org.get("address")),
        "telefon": org.get("phone"),
        "faks": org.get("fax"),
        "emel": org.get("email"),
        "laman_web": org.get("website"),
    }


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _case_values(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case in Malay words: type, level, parties, the sentence that names the instrument."""
    codes = [str(c) for c in case.get("countries") or []]
    groupings = [country_name_ms(c) for c in codes if is_grouping(c)]
    countries = [(c, country_name_ms(c)) for c in codes if not is_grouping(c)]
    names = [name for _, name in countries]
    type_id = str(case.get("type") or "other")
    type_ms = type_name_ms(type_id)
    what = "Instrumen Kerjasama Antarabangsa" if type_id == "other" else type_ms
    title = str(case.get("title") or "")
    if groupings:
        parties = [f"Negara-Negara Anggota {g}" for g in groupings]
        parties += [f"Kerajaan {n}" for n in names]
        pihak = join_ms(parties) if len(parties) > 1 else ""
        if not pihak:  # the grouping alone: "Konvensyen ASEAN"
            what = f"{what} {groupings[0]}"
    elif names:
        pihak = join_ms(["Kerajaan Malaysia", *(f"Kerajaan {n}" for n in names)])
    else:
        pihak = ""
    if type_ms.casefold() in title.casefold():
        perihal = title  # the title already names the instrument
    else:
        perihal = what + (f" antara {pihak}" if pihak else "") + f" mengenai {title}"
    if countries:
        missions = [
            f"{'Suruhanjaya Tinggi' if c in _COMMONWEALTH else 'Kedutaan Besar'} {n}"
            for c, n in countries
        ]
        kedutaan = f"{join_ms(missions)} di Kuala Lumpur"
    elif groupings:
        kedutaan = f"Sekretariat {groupings[0]}"
    else:
        kedutaan = None
    source = case.get("source")
    sumber = _SOURCES.get(str(source)) if source != "embassy" else kedutaan
    return {
        "id": case.get("id"),
        "tajuk": title,
        "jenis": type_ms,
        "peringkat": level_name_ms(str(case["level"])) if case.get("level") else None,
        "negara": join_ms([*groupings, *names]),
        "senarai_negara": [*groupings, *names],
        "pihak": pihak,
        "perihal": perihal,
        "bahagian": case.get("division"),
        "diterima": _ms(case.get("received")),
        "sumber": sumber,
        "kedutaan": kedutaan,
        "sasaran": _ms(case.get("target_date")),
    }


def _negotiation(case: Mapping[str, Any]) -> dict[str, Any]:
    neg = case.get("negotiation") or {}
    return {
        "mula": _ms(neg.get("start")),
        "tamat": _ms(neg.get("end")),
        "tempat": neg.get("venue"),
    }


def _step(case: Mapping[str, Any], n: int) -> Mapping[str, Any]:
    return next((s for s in case.get("steps") or [] if s.get("n") == n), {})


def _step_values(case: Mapping[str, Any], n: int) -> dict[str, Any]:
    s = _step(case, n)
    return {
        "n": n,
        "nama": sop.step(n).name,
        "tarikh_akhir": _ms(s.get("due")),
        "selesai": _ms(s.get("done")),
    }


def _line(entry: Mapping[str, Any]) -> str:
    return ", ".join(str(entry[k]) for k in ("name", "organisation") if entry.get(k))


def _entry(directory: Mapping[str, Any], key: str) -> tuple[str, Mapping[str, Any]] | None:
    """A directory entry by key, case-insensitively (`--to kln` works)."""
    for k, v in directory.items():
        if k.casefold() == key.strip().casefold():
            return k, v
    return None


def _addressee(
    doc_key: str, case: Mapping[str, Any], settings: Settings, to_key: str | None
) -> dict[str, Any]:
    directory = settings.directory
    key = to_key or DEFAULT_TO.get(doc_key)
    if key is None:
        raise TemplateError(
            f"{doc_key}: give the addressee with --to KEY, one of: {', '.join(directory)}"
        )
    if key == DIVISION:
        org = settings.organisation
        return {
            "nama": "Setiausaha Bahagian",
            "organisasi": case.get("division"),
            "alamat": [x for x in [org.get("name"), *_lines(org.get("address"))] if x],
            "salam": "Tuan/Puan,",
        }
    found = _entry(directory, key)
    if found is None:
        raise TemplateError(
            f"{doc_key}: no addressee {key!r} in ika.toml [directory]; "
            f"known: {', '.join(directory) or 'none'}"
        )
    _, entry = found
    return {
        "kunci": found[0],
        "nama": entry.get("name"),
        "organisasi": entry.get("organisation"),
        "alamat": _lines(entry.get("address")),
        "salam": entry.get("salutation") or "Tuan/Puan,",
    }


def _signatory(key: str, case: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    found = _entry(settings.signatories, key)
    if found is None:
        known = ", ".join(settings.signatories) or "none"
        raise TemplateError(f"no signatory {key!r} in ika.toml [signatories]; known: {known}")
    real_key, s = found
    name = str(s.get("name") or "").strip()
    if name.startswith("(") and name.endswith(")"):
        name = name[1:-1].strip()  # the template puts the brackets around the name
    division = case.get("division") if real_key == DIVISION else s.get("division")
    return {
        "nama": name,
        "jawatan": s.get("post"),
        "bahagian": division or s.get("division"),
        "organisasi": s.get("organisation") or settings.organisation.get("name"),
    }


def _letterhead(org: Mapping[str, Any], signer: Mapping[str, Any], ab: bool) -> dict[str, Any]:
    """The writer's letterhead: the Division's name on its letters, AB's e-mail only on AB's."""
    head = _organisation(org)
    head["bahagian"] = signer.get("bahagian") or org.get("division")
    if not ab:
        head["emel"] = None
    return head


def _copies(
    doc_key: str, case: Mapping[str, Any], org: Mapping[str, Any], directory: Mapping[str, Any]
) -> list[str]:
    ab = _entry(directory, "AB")
    ab_line = _line(ab[1]) if ab else f"{org.get('division')}, {org.get('name')}"
    jki = f"Urusetia JK-i, {org.get('division')}, {org.get('name')}"
    division = f"Setiausaha Bahagian, {case.get('division')}, {org.get('name')}"
    return {
        "makluman-bahagian": [jki],
        "permohonan-ulasan": [ab_line],
        "jemputan-mesyuarat": [ab_line],
        "memo-kln": [division, jki],
    }.get(doc_key, [])


def _document_defaults(
    doc_key: str, case: Mapping[str, Any], kes: Mapping[str, Any], directory: Mapping[str, Any]
) -> dict[str, Any]:
    """What the case already knows for this document's own fields."""
    due2 = _ms(_step(case, 2).get("due"))
    if doc_key == "makluman-bahagian":
        return {"tarikh_akhir_ulasan": due2}
    if doc_key == "permohonan-ulasan":
        return {"tarikh_akhir": due2}
    if doc_key == "makluman-keputusan":
        return {"tarikh_mesyuarat": _ms_day(_step(case, 4).get("done"))}
    if doc_key == "memo-kln":
        return {"kedutaan": kes["kedutaan"]}
    if doc_key == "serahan-dokumen":
        return {"lampiran": f"salinan {kes['jenis']} yang telah dirundingkan"}
    return {}


def _summary_values(case: Mapping[str, Any], today: date) -> dict[str, Any]:
    rows = []
    for s in case.get("steps") or []:
        status = str(s.get("status"))
        label = _STATUS_MS.get(status, status)
        late = 0
        if status == "overdue" and s.get("due"):
            late = (today - date.fromisoformat(s["due"])).days
            label = f"Lewat {late} hari"
        rows.append(
            {
                "n": s.get("n"),
                "nama": s.get("name"),
                "pelaku": "Bahagian AB" if s.get("actor") == "AB" else "Bahagian berkaitan",
                "tarikh_akhir": _ms(s.get("due")) or "—",
                "selesai": _ms(s.get("done")) or "—",
                "status": status,
                "status_teks": label,
                "lewat": late,
                "semasa": s.get("n") == case.get("current_step"),
                "catatan": s.get("note") or "",
            }
        )
    status = str(case.get("status") or "open")
    history = [
        {
            "pada": str(e.get("at") or "")[:16],
            "oleh": e.get("by") or "",
            "tindakan": e.get("action") or "",
            "catatan": e.get("note") or "",
        }
        for e in case.get("history") or []
    ]
    return {
        "sejarah": history,
        "hari_ini": malay_date(today),
        "langkah_langkah": rows,
        "minggu_sasaran": sop.TARGET_WEEKS,
        "status_kes": _CASE_STATUS_MS.get(status, status),
        "status": status,
    }


# ---------------------------------------------------------------- --set values

_KEY = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _split(raw: str) -> list[str]:
    """`a; b; c` -> items; `\\;` keeps a semicolon inside an item."""
    parts = re.split(r"(?<!\\);", raw)
    return [p.replace("\\;", ";").strip() for p in parts if p.strip()]


def _iso(doc_key: str, key: str, raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise TemplateError(
            f"{doc_key}: --set {key}={raw!r} is not a date (use YYYY-MM-DD)"
        ) from None


def _who(item: str, directory: Mapping[str, Any]) -> str:
    """A directory key stands for its organisation ("PDRM" -> "Polis Diraja Malaysia (PDRM)")."""
    found = _entry(directory, item)
    if found and found[1].get("organisation"):
        return f"{found[1]['organisation']} ({found[0]})"
    return item


def _parse_value(doc_key: str, key: str, kind: str, raw: str, directory: Mapping[str, Any]) -> Any:
    if not _KEY.fullmatch(key):
        raise TemplateError(f"{doc_key}: --set {key!r}: a field name is letters, digits, _ and .")
    raw = str(raw)
    if not raw.strip():
        return None  # an empty --set clears the value
    if kind == "date":
        return malay_date(_iso(doc_key, key, raw))
    if kind == "day":
        return _ms_day(_iso(doc_key, key, raw).isoformat())
    if kind == "decision":
        return _decision(raw, f"{doc_key}: --set {key}")
    if kind == "list":
        return [
            _who(item, directory) if key in ("sk", "bja", "jemputan") else item
            for item in _split(raw)
        ]
    if kind == "rows":
        rows = []
        for item in _split(raw):
            parts = [p.strip() for p in item.split("|", 2)]
            if len(parts) != 3 or not all(parts):
                raise TemplateError(
                    f"{doc_key}: --set {key}: {item!r} is not DARIPADA|YYYY-MM-DD|RINGKASAN"
                )
            rows.append(
                {
                    "daripada": _who(parts[0], directory),
                    "tarikh": malay_date(_iso(doc_key, key, parts[1])),
                    "ringkasan": parts[2],
                }
            )
        return rows
    return raw.strip()


def _set_dotted(ctx: dict[str, Any], doc_key: str, key: str, value: Any) -> None:
    *path, last = key.split(".")
    node = ctx
    for part in path:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise TemplateError(f"{doc_key}: --set {key}: {part!r} is a value, not a group")
        node = child
    node[last] = value


def _derive(
    ctx: dict[str, Any], doc_key: str, overrides: Mapping[str, str], directory: Mapping[str, Any]
) -> None:
    """Values computed from others, after `--set` so that they follow an override."""
    ctx["diluluskan"] = ctx.get("keputusan") == "YA"
    ctx["ditolak"] = ctx.get("keputusan") == "TIDAK"
    if doc_key == "jemputan-mesyuarat" and "jemputan" not in overrides:
        kes = ctx["kes"]
        default = [_org(directory, "KLN"), kes.get("kedutaan"), _org(directory, "AGC")]
        ctx["jemputan"] = [x for x in default if x] + list(ctx.get("bja") or [])


def _org(directory: Mapping[str, Any], key: str) -> str | None:
    found = _entry(directory, key)
    return found[1].get("organisation") if found else None


# ---------------------------------------------------------------- rendering


class _Rec(dict):  # type: ignore[type-arg]
    """A context mapping that knows its dotted path, so a missing `kepada.nama` is named."""

    __slots__ = ("_ika_path",)


def _prepare(value: Any, path: str = "") -> Any:
    """Drop None and blank values (so they are *missing*) and give every mapping its path."""
    if isinstance(value, Mapping):
        out = _Rec()
        out._ika_path = path
        for k, v in value.items():
            v = _prepare(v, f"{path}.{k}" if path else str(k))
            if v is not None:
                out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        return [v for v in (_prepare(v, path) for v in value) if v is not None]
    if isinstance(value, str) and not value.strip():
        return None
    return value


# The operations on an undefined value that fail (jinja2.Undefined raises UndefinedError for
# them); the Recording undefined notes its name first, so one render names every missing field.
_FAILING_OPERATIONS = (
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pos__",
    "__neg__", "__call__", "__lt__", "__le__", "__gt__", "__ge__", "__int__", "__float__",
    "__complex__", "__pow__", "__rpow__",
)


_UNSET = object()


def _recording_undefined(missing: list[str]) -> type[jinja2.Undefined]:
    """An Undefined that prints nothing and writes down its name, so one render names all.

    Only Jinja's public interface is used: the dotted name is worked out from the
    constructor's documented arguments (hint, obj, name) and kept in a slot of its own.
    """

    class Recording(jinja2.Undefined):
        __slots__ = ("_ika_dotted",)

        def __init__(self, hint: str | None = None, obj: Any = _UNSET, name: Any = None,
                     **kwargs: Any) -> None:
            if obj is _UNSET:  # leave Jinja's own "no object" default alone
                super().__init__(hint, name=name, **kwargs)
            else:
                super().__init__(hint, obj, name, **kwargs)
            if name is None:
                self._ika_dotted = hint or "?"
            else:
                parent = getattr(obj, "_ika_path", "")
                self._ika_dotted = f"{parent}.{name}" if parent else str(name)

        def _ika_name(self) -> str:
            return self._ika_dotted

        def _note(self) -> None:
            name = self._ika_name()
            if name not in missing:
                missing.append(name)

        def __str__(self) -> str:
            self._note()
            return ""

        def __iter__(self) -> Iterator[Any]:
            self._note()
            return iter(())

        def __len__(self) -> int:
            self._note()
            return 0

        def __getattr__(self, name: str) -> Any:
            if name[:2] == "__":
                raise AttributeError(name)
            return Recording(name=f"{self._ika_name()}.{name}")

        def __getitem__(self, name: Any) -> Any:
            return Recording(name=f"{self._ika_name()}.{name}")

    def failing(self: Any, *args: Any, **kwargs: Any) -> Any:
        self._note()
        raise jinja2.UndefinedError(f"{self._ika_name()!r} is undefined")

    for operation in _FAILING_OPERATIONS:
        setattr(Recording, operation, failing)
    return Recording


def _roman(n: int) -> str:
    """(i), (ii), (iii): how Malaysian letters number sub-items."""
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


# What a template's own expressions can raise (a division by zero, a number too long to
# print, text added to a number): the template's fault, reported as a TemplateError.
_TEMPLATE_FAULTS = (ArithmeticError, ValueError, TypeError, LookupError, RecursionError)

# Bounds on what a template's arithmetic may build: `{{ "x" * 10**10 }}` must not eat the
# server's memory any more than `{{ range(10**10) }}` (which the sandbox already bounds).
_MAX_REPEAT = 100_000
_MAX_EXPONENT = 64
_MAX_BITS = 16_384  # about 5,000 digits: more than any letter prints


class _Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox for templates users edit in Word: no attribute starting with `_`
    (so no `cycler.__init__.__globals__.os`), no unsafe calls, no changing values passed in.

    An unsafe access stops the render at once with a SecurityError, instead of Jinja's
    default of an undefined value, so the user reads what was refused, in which template.
    """

    intercepted_binops = frozenset({"*", "**"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of a {type(obj).__name__!r} value is not "
            "allowed in a template"
        )

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"the power {right!r} is too large for a template")
        if isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() * right if operator == "**" else \
                left.bit_length() + right.bit_length()
            if bits > _MAX_BITS:
                raise SecurityError("a number that large is not allowed in a template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, (str, list, tuple)) and isinstance(times, int)
                        and len(seq) * times > _MAX_REPEAT):
                    raise SecurityError("a value repeated that often is not allowed in a template")
        return super().call_binop(context, operator, left, right)


def _environment(missing: list[str], **kwargs: Any) -> jinja2.Environment:
    """The sandboxed environment every template (Word and HTML) renders in."""
    env = _Sandbox(autoescape=True, undefined=_recording_undefined(missing), **kwargs)
    env.filters["roman"] = _roman
    return env


def _missing_message(doc_key: str, names: list[str], known: set[str] | None = None) -> str:
    """Every missing name with the `--set` that fills it, and where auto values come from."""
    label, pronoun = ("field", "it") if len(names) == 1 else ("fields", "them")
    sets = " ".join(f"--set {n}=..." for n in names)
    message = f"{doc_key}: missing {label} {', '.join(names)} — give {pronoun} with {sets}"
    specs = {f.name: f for f in fields(doc_key)} if doc_key in sop.DOCUMENTS else {}
    sources: dict[str, list[str]] = {}
    for n in names:
        m = re.search(r"\(from (`[^`]+`)", specs[n].description) if n in specs else None
        if m:
            sources.setdefault(m.group(1), []).append(n)
    for command, which in sources.items():
        message += f"; {', '.join(which)}: recorded by {command}"
    if known is not None:
        strange = [n for n in names if n.split(".")[0] not in known and n not in specs]
        if strange:
            message += (
                f"; {', '.join(strange)}: not a field IKA Records fills — "
                f"check the spelling in {doc_key}.docx"
            )
    return message


def _lookup(ctx: Mapping[str, Any], dotted: str) -> Any:
    node: Any = ctx
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _required_missing(doc_key: str, ctx: Mapping[str, Any]) -> list[str]:
    """Required values that may sit only in a condition (keputusan), where no print reveals them."""
    if doc_key not in sop.DOCUMENTS:
        return []
    decision = ctx.get("keputusan")
    return [
        f.name
        for f in fields(doc_key)
        if f.required and (f.when is None or f.when == decision) and _lookup(ctx, f.name) is None
    ]


# Templates whose tags already parsed, by (path, mtime, size): a letter run skips re-parsing.
_VERIFIED: set[tuple[str, int, int]] = set()


def render(
    doc_key: str,
    context: Mapping[str, Any],
    out_path: Path,
    *,
    templates_dir: Path = TEMPLATES_DIR,
) -> Path:
    """Fill `templates/<doc_key>.docx`; write nothing unless every field has a value."""
    from docxtpl import DocxTemplate

    path = Path(templates_dir) / f"{doc_key}.docx"
    if not path.is_file():
        raise TemplateError(f"{doc_key}: template not found: {path}")
    tpl = DocxTemplate(str(path))
    try:
        tpl.init_docx()
    except Exception as exc:  # python-docx's zip/xml errors vary: any means unreadable
        raise TemplateError(f"{path.name}: not a readable Word document ({exc})") from None
    missing: list[str] = []
    env = _environment(missing)
    stat = path.stat()
    stamp = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if stamp not in _VERIFIED:  # a template edited in Word is checked again
        check_syntax(tpl, path.name, env)
        lonely = lonely_tag_problems(tpl, path.name)
        if lonely:
            raise TemplateError(lonely[0])
        _VERIFIED.add(stamp)
    ctx = _prepare(context)
    for name in _required_missing(doc_key, ctx):
        missing.append(name)
    try:
        tpl.render(ctx, jinja_env=env, autoescape=True)
    except jinja2.UndefinedError:
        pass  # recorded by the Undefined; reported below with the others
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{path.name}: {exc}") from None
    except _TEMPLATE_FAULTS as exc:  # `{{ 1/0 }}`, `{{ 'a' + 1 }}`: the template's own sums
        raise TemplateError(f"{path.name}: {type(exc).__name__}: {exc}") from None
    if missing:
        raise TemplateError(_missing_message(doc_key, missing, set(ctx)))
    check_leftovers(tpl, path.name, ctx)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".render-", suffix=".docx", dir=out_path.parent)
    os.close(fd)
    try:
        tpl.save(tmp)
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out_path


# ---------------------------------------------------------------- HTML summary


def summary_context(case: Mapping[str, Any], settings: Settings, today: date) -> dict[str, Any]:
    """The case summary's context: build_context for the pseudo-document "case-summary"."""
    return build_context(case, SUMMARY_KEY, settings, today=today)


def render_summary_html(context: Mapping[str, Any], *, templates_dir: Path = TEMPLATES_DIR) -> str:
    """The one-page case summary (build_context(case, "case-summary", ...)), autoescaped."""
    path = Path(templates_dir) / SUMMARY_TEMPLATE
    if not path.is_file():
        raise TemplateError(f"{SUMMARY_KEY}: template not found: {path}")
    missing: list[str] = []
    env = _environment(missing, loader=jinja2.FileSystemLoader(str(templates_dir)))
    try:
        html = env.get_template(SUMMARY_TEMPLATE).render(_prepare(context))
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}, line {exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError:
        pass
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}: {exc}") from None
    except _TEMPLATE_FAULTS as exc:
        raise TemplateError(f"{SUMMARY_TEMPLATE}: {type(exc).__name__}: {exc}") from None
    if missing:
        raise TemplateError(_missing_message(SUMMARY_KEY, missing))
    return html


