"""Reportlab canvases that draw a page's strings in another order than the generator wrote them: the
page looks the same, its text layer does not. Report and template engines often write a page this way,
column by column (all labels, then all values) or bottom up, and pdfium returns text in the order it
was drawn, so a label and its value land on lines far apart.

``redrawn(mode)`` patches reportlab's Canvas for the duration of a ``with`` block.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal
from unittest import mock

from reportlab.pdfgen import canvas as reportlab_canvas
from reportlab.pdfgen.canvas import Canvas

Mode = Literal["columns", "bottom_up"]
_Canvas = Canvas  # the real class, before any patch
COLUMN_WIDTH = 150.0  # points: strings whose x falls in one band of this width are one column


class _Reordered(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    mode: Mode = "columns"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: list[tuple[str, float, Any, str, tuple[Any, ...], dict[str, Any]]] = []
        self._flushing = False

    def _defer(self, name: str, *args: Any, **kwargs: Any) -> None:
        if self._flushing:  # drawString draws through drawText: draw at once while flushing
            getattr(_Canvas, name)(self, *args, **kwargs)
            return
        self._queue.append((self._fontname, self._fontsize, self._fillColorObj, name, args, kwargs))

    def drawString(self, *args: Any, **kwargs: Any) -> None:
        self._defer("drawString", *args, **kwargs)

    def drawRightString(self, *args: Any, **kwargs: Any) -> None:
        self._defer("drawRightString", *args, **kwargs)

    def drawCentredString(self, *args: Any, **kwargs: Any) -> None:
        self._defer("drawCentredString", *args, **kwargs)

    def drawText(self, *args: Any, **kwargs: Any) -> None:
        self._defer("drawText", *args, **kwargs)

    def showPage(self) -> None:
        def position(
            entry: tuple[str, float, Any, str, tuple[Any, ...], dict[str, Any]],
        ) -> tuple[float, float]:
            args = entry[4]
            if hasattr(args[0], "getX"):  # a text object
                return float(args[0].getX()), float(args[0].getY())
            return float(args[0]), float(args[1])

        if self.mode == "columns":
            order = sorted(self._queue, key=lambda e: (position(e)[0] // COLUMN_WIDTH, -position(e)[1]))
        else:
            order = sorted(self._queue, key=lambda e: position(e)[1])
        self._queue = []
        self._flushing = True
        for font, size, fill, name, args, kwargs in order:
            _Canvas.setFont(self, font, size)
            self.setFillColor(fill)
            getattr(_Canvas, name)(self, *args, **kwargs)
        self._flushing = False
        super().showPage()


@contextmanager
def redrawn(mode: Mode) -> Iterator[None]:
    """Inside the block, reportlab canvases draw each page's strings in ``mode`` order at showPage."""
    cls = type(f"Reordered_{mode}", (_Reordered,), {"mode": mode})
    with mock.patch.object(reportlab_canvas, "Canvas", cls):
        yield
