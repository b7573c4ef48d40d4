"""Checks that reject a file before camelot reads it, each with a reason a person can act on.

pdfium opens almost anything: it rebuilds the cross-reference table of a cut
file and shows what is left.  A budget with pages missing must not load, so
the file's own framing is checked first; then the page count, which is what
the page limit needs (no page is parsed); then whether there is any text at all.
"""

from __future__ import annotations

import pypdfium2

from pipelines.extraction.pdf import PdfError

# A PDF starts with %PDF- (within its first 1024 bytes) and ends with %%EOF (within
# its last 1024): the slack readers such as Acrobat allow for junk around them.
_HEADER, _TRAILER, _SLACK = b"%PDF-", b"%%EOF", 1024
_FPDF_ERR_PASSWORD = 4  # pdfium's FPDF_ERR_PASSWORD


def page_count(pdf_bytes: bytes) -> int:
    """The number of pages of a readable PDF; PdfError naming the problem otherwise."""
    if not pdf_bytes:
        raise PdfError("empty file (0 bytes)")
    if _HEADER not in pdf_bytes[:_SLACK]:
        raise PdfError("not a PDF: the file does not start with a %PDF- header")
    if _TRAILER not in pdf_bytes[-_SLACK:]:
        raise PdfError(f"truncated PDF: no %%EOF at the end of its {len(pdf_bytes):,} bytes")
    try:
        document = pypdfium2.PdfDocument(pdf_bytes)
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD:
            raise PdfError("password-protected PDF: it cannot be opened without its password") from exc
        raise PdfError(f"not a readable PDF: {exc}") from exc
    try:
        return len(document)
    finally:
        document.close()


def require_text(texts: list[str], reason: str = "OCR found no text either") -> None:
    """Some text, from the text layer or from OCR of the scanned pages; ``reason`` says why
    OCR did not supply it (ocr.py)."""
    if not any(text.strip() for text in texts):
        raise PdfError(f"no text layer on any of its {len(texts)} pages (scanned images?); {reason}")
