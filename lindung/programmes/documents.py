"""Checks on scanned agreement documents: PDF, PNG or JPEG by their first bytes, never by the file name."""

from __future__ import annotations

from typing import IO, Final

from django.conf import settings
from django.utils.translation import gettext as _

from lindung.core.errors import ApplicationError

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024

#: (first bytes, extension) of each accepted kind.
_SIGNATURES: Final = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)


def document_max_bytes() -> int:
    """The size cap: setting LINDUNG_DOCUMENT_MAX_BYTES, default 10 MB."""
    return int(getattr(settings, "LINDUNG_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def document_kind(head: bytes) -> str | None:
    """The extension matching the file's first bytes, or None for anything else."""
    for signature, extension in _SIGNATURES:
        if head.startswith(signature):
            return extension
    return None


def check_document(upload: IO[bytes], *, size: int | None = None, max_bytes: int | None = None) -> str:
    """Refuse an empty, oversized or non-PDF/PNG/JPEG file (translated message); return its true extension."""
    limit = document_max_bytes() if max_bytes is None else max_bytes
    if size is None:
        position = upload.tell()
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(position)
    if size == 0:
        raise ApplicationError(_("The document file is empty."), code="document")
    if size > limit:
        raise ApplicationError(
            _("The document file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            code="document",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = document_kind(head)
    if kind is None:
        raise ApplicationError(
            _(
                "The document must be a PDF, PNG or JPEG. The content of this file is none of them "
                "(the file name is not enough — a renamed extension is still refused)."
            ),
            code="document",
        )
    return kind
