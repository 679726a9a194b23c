"""Where things are drawn on a PDF page: affine matrices as PDF's `cm` takes them, and the
matrix each image is drawn with (from the content stream and the forms it draws)."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf
from pikepdf import Name

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as PDF's cm
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
MAX_FORM_DEPTH = 8
Box = tuple[float, float, float, float]  # x0 y0 x1 y1, points


def then(first: Matrix, second: Matrix) -> Matrix:
    """`first` applied, then `second` (PDF's row-vector order: first x second)."""
    a, b, c, d, e, f = first
    A, B, C, D, E, F = second
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def images(page: pikepdf.Page) -> list[tuple[Matrix, tuple[int, int]]]:
    """Every image the page draws: the matrix that maps its unit square onto the page
    (user space), and its size in pixels. Nothing is decoded."""
    return list(_images(page.obj, page.obj.get("/Resources"), IDENTITY, 0))


def unit_box(ctm: Matrix) -> Box:
    """Where the unit square lands under `ctm`."""
    corners = [(ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5])
               for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _images(content: pikepdf.Object, resources: pikepdf.Object | None, ctm: Matrix,
            depth: int) -> Iterator[tuple[Matrix, tuple[int, int]]]:
    stack: list[Matrix] = []
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    for operands, operator in pikepdf.parse_content_stream(content):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm" and len(operands) == 6:
            ctm = then(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif op == "Do" and xobjects is not None and operands and operands[0] in xobjects:
            xobject = xobjects[operands[0]]
            subtype = xobject.get("/Subtype")
            if subtype == Name.Image:
                yield ctm, (int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0)))
            elif subtype == Name.Form and depth < MAX_FORM_DEPTH:
                matrix = tuple(float(v) for v in xobject.get("/Matrix", list(IDENTITY)))
                yield from _images(xobject, xobject.get("/Resources", resources),
                                   then(matrix, ctm), depth + 1)  # type: ignore[arg-type]
