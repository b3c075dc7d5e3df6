"""Small named exceptions; cli.py turns each into one `Error: ...` line and exit 1."""

from __future__ import annotations


class IkaError(Exception):
    """Base of every error a user can cause or fix."""


class ArchiveNotFound(IkaError):
    pass


class SchemaTooNew(IkaError):
    pass


class CaseNotFound(IkaError):
    pass


class StepError(IkaError):
    """The step asked for is not the one that can be completed now."""


class InvalidDate(IkaError):
    pass


class UnknownCountry(IkaError):
    pass


class UnknownType(IkaError):
    pass


class SettingsError(IkaError):
    pass


class TemplateError(IkaError):
    """A template is broken or a field it needs has no value."""


class StorageError(IkaError):
    """The disk refused a write the archive needs: no permission, read-only, full, or a file
    where a folder belongs. Named, so the user reads which path and why, not a traceback."""


class ConversionError(IkaError):
    """LibreOffice is missing or did not produce a PDF."""


class FilingError(IkaError):
    """A file could not be filed; `reason` is what a clerk should read."""

    def __init__(self, reason: str, kind: str = "damaged") -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


class ExtractionError(FilingError):
    pass


class DuplicateDocument(FilingError):
    """The same bytes are already filed as `doc_id`."""

    def __init__(self, reason: str, doc_id: str) -> None:
        super().__init__(reason, "duplicate")
        self.doc_id = doc_id


class IndexError_(IkaError):
    pass


class RegisterDamaged(IkaError):
    """The register exists but cannot be read as one."""
