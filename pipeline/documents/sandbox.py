"""The sandbox every template renders in (Word and HTML): Jinja's immutable sandbox with
bounds on a template's arithmetic, and an undefined value that records its dotted name so one
render names every missing field."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from pipeline.vocab.countries import join_ms


class _Rec(dict):  # type: ignore[type-arg]
    """A context mapping that knows its dotted path, so a missing `kepada.nama` is named."""

    __slots__ = ("_ika_path",)


def prepare(value: Any, path: str = "") -> Any:
    """Drop None and blank values (so they are *missing*) and give every mapping its path."""
    if isinstance(value, Mapping):
        out = _Rec()
        out._ika_path = path
        for k, v in value.items():
            v = prepare(v, f"{path}.{k}" if path else str(k))
            if v is not None:
                out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        return [v for v in (prepare(v, path) for v in value) if v is not None]
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

# The names a render found missing: one list per render, in this thread's context, so one
# compiled template (cached) serves every render and every thread.
MISSING: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "ika_missing", default=None
)


def _recording_undefined() -> type[jinja2.Undefined]:
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
            missing = MISSING.get()
            if missing is not None and name not in missing:
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


_Recording = _recording_undefined()


def _senarai(items: Any) -> str:
    """Items joined the Malay way: "A, B dan C"."""
    if isinstance(items, jinja2.Undefined):
        return str(items)
    return join_ms([str(i) for i in items])


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
TEMPLATE_FAULTS = (ArithmeticError, ValueError, TypeError, LookupError, RecursionError)

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

    def from_string(self, source: Any, globals: Any = None,  # Jinja's own name for it
                    template_class: Any = None) -> jinja2.Template:
        """Compiled once per source: a letter run renders the same parts again and again."""
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cache = self.__dict__.setdefault("_cache", {})
        found = cache.get(source)
        if found is None:
            if len(cache) >= 512:
                cache.clear()
            found = cache[source] = super().from_string(source)
        return found


def environment(**kwargs: Any) -> jinja2.Environment:
    """The sandboxed environment every template (Word and HTML) renders in."""
    env = _Sandbox(autoescape=True, undefined=_Recording, **kwargs)
    env.filters["roman"] = _roman
    env.filters["senarai"] = _senarai
    return env


_WORD_ENV: jinja2.Environment | None = None


def word_environment() -> jinja2.Environment:
    """The one environment of the Word templates, its compiled parts cached."""
    global _WORD_ENV
    if _WORD_ENV is None:
        _WORD_ENV = environment()
    return _WORD_ENV
