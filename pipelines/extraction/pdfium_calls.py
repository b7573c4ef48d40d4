"""pdfium's C functions declared to take and return objects as plain addresses.

pypdfium2's own declarations take typed pointers: every call then checks and
converts its arguments, and keying an object by address takes a ``ctypes.cast``.
On a table page of thousands of characters and objects, that costs more than
pdfium's work.  These are the same functions, called with integers (an object's
address, or the address of an output buffer from ``ctypes.addressof``).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator

import pypdfium2.raw as pdfium_c

_ADDRESS, _INT, _UINT, _FLOAT = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_float


def _by_address(function, restype, *argtypes):
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, _ADDRESS).value)


def address(pointer) -> int:
    """The address of a pdfium object held as a typed pointer (``page.raw``, ``textpage.raw``)."""
    return ctypes.cast(pointer, _ADDRESS).value or 0


# Page objects.
count_objects = _by_address(pdfium_c.FPDFPage_CountObjects, _INT, _ADDRESS)
page_object = _by_address(pdfium_c.FPDFPage_GetObject, _ADDRESS, _ADDRESS, _INT)
object_type = _by_address(pdfium_c.FPDFPageObj_GetType, _INT, _ADDRESS)
object_matrix = _by_address(pdfium_c.FPDFPageObj_GetMatrix, _INT, _ADDRESS, _ADDRESS)
object_bounds = _by_address(pdfium_c.FPDFPageObj_GetBounds, _INT, _ADDRESS, _ADDRESS, _ADDRESS, _ADDRESS, _ADDRESS)
form_size = _by_address(pdfium_c.FPDFFormObj_CountObjects, _INT, _ADDRESS)
form_object = _by_address(pdfium_c.FPDFFormObj_GetObject, _ADDRESS, _ADDRESS, ctypes.c_ulong)

# Paths.
draw_mode = _by_address(pdfium_c.FPDFPath_GetDrawMode, _INT, _ADDRESS, _ADDRESS, _ADDRESS)
count_segments = _by_address(pdfium_c.FPDFPath_CountSegments, _INT, _ADDRESS)
path_segment = _by_address(pdfium_c.FPDFPath_GetPathSegment, _ADDRESS, _ADDRESS, _INT)
segment_type = _by_address(pdfium_c.FPDFPathSegment_GetType, _INT, _ADDRESS)
segment_point = _by_address(pdfium_c.FPDFPathSegment_GetPoint, _INT, _ADDRESS, _ADDRESS, _ADDRESS)
segment_close = _by_address(pdfium_c.FPDFPathSegment_GetClose, _INT, _ADDRESS)

# Text objects and fonts.
object_font = _by_address(pdfium_c.FPDFTextObj_GetFont, _ADDRESS, _ADDRESS)
font_descent = _by_address(pdfium_c.FPDFFont_GetDescent, _INT, _ADDRESS, _FLOAT, _ADDRESS)

# A text page's characters.
count_chars = _by_address(pdfium_c.FPDFText_CountChars, _INT, _ADDRESS)
char_unicode = _by_address(pdfium_c.FPDFText_GetUnicode, _UINT, _ADDRESS, _INT)
char_loose_box = _by_address(pdfium_c.FPDFText_GetLooseCharBox, _INT, _ADDRESS, _INT, _ADDRESS)
char_origin = _by_address(pdfium_c.FPDFText_GetCharOrigin, _INT, _ADDRESS, _INT, _ADDRESS, _ADDRESS)
char_matrix = _by_address(pdfium_c.FPDFText_GetMatrix, _INT, _ADDRESS, _INT, _ADDRESS)
char_font_size = _by_address(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, _ADDRESS, _INT)
char_text_object = _by_address(pdfium_c.FPDFText_GetTextObject, _ADDRESS, _ADDRESS, _INT)


def page_objects(page: int) -> Iterator[tuple[int, int, int]]:
    """Every object of a page (its address), depth first and in content order, inside form
    XObjects too: ``(object, its type, its container)``; the container is 0 for the page
    itself, else the form object's address, which comes before what it holds."""
    yield from _contents([page_object(page, i) for i in range(count_objects(page))], 0)


def _contents(objects: list[int], container: int) -> Iterator[tuple[int, int, int]]:
    for obj in objects:
        kind = object_type(obj)
        yield obj, kind, container
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            yield from _contents([form_object(obj, i) for i in range(form_size(obj))], obj)
