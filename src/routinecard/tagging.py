"""Tagging while drawing: marked content on the page, and the structure it belongs to.

reportlab has no tagging API. While the canvas draws a card, our flowables wrap what they
draw in marked content (`/P <</MCID 3>> BDC ... EMC`) and tell the `TagRecorder` (kept
on the canvas) which structure element that content belongs to. The recorder keeps the
elements in drawing order, which is the card's reading order. Everything drawn outside
an element (panel backgrounds, borders, rules, the warning triangle) is wrapped as an
`/Artifact` while the page is drawn: the recorder knows when marked content ends and the
next begins, so no second pass has to parse the page again. Afterwards `structure.py`
turns the record into the PDF's structure tree with pikepdf.

A canvas without a recorder (a preview, a test) draws exactly as before: every helper
here is a no-op then.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Union

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

# Roles used on a card (standard PDF structure types; no role map needed).
GROUPS = frozenset({"Document", "Sect", "Div", "L", "LI", "Caption"})
LEAVES = frozenset({"H1", "H2", "H3", "P", "Lbl", "LBody", "Figure"})

ATTRIBUTE = "_routinecard_tags"

# A painting operator or a graphics object (PDF 32000-1, 8.2): what makes a stretch of the
# page between two elements worth an /Artifact (state changes alone are not content).
_PAINTS = re.compile(r"(?:^|\s)(?:[SsfFBb]\*?|Tj|TJ|'|\"|Do|sh|BI)(?=\s|$)", re.MULTILINE)


@dataclass(frozen=True)
class MarkedContent:
    """One marked-content sequence: page index (0-based) and its MCID on that page."""

    page: int
    mcid: int


Kid = Union["Element", MarkedContent]


@dataclass
class Element:
    """A structure element: a role, optional alternative text, and its kids in order."""

    role: str
    alt: str | None = None
    key: str | None = None
    kids: list[Kid] = field(default_factory=list)
    whole: bool = False  # drawn as one piece: what is drawn inside is part of it (a figure)

    def elements(self) -> Iterator[Element]:
        """This element and all below it, in reading order."""
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.elements()

    def has_content(self) -> bool:
        return any(isinstance(k, MarkedContent) or k.has_content() for k in self.kids)


class TagRecorder:
    """What was drawn, in which element. One per PDF; not shared between threads."""

    def __init__(self, language: str = "") -> None:
        self.root = Element("Document")
        self.language = language
        self._open: list[Element] = [self.root]
        self.page = -1
        self._mcids = 0
        self.muted = 0  # > 0 while a copy is drawn that must be an artifact (pocket sheets)
        self._depth = 0  # marked-content sequences open on the page
        # Where the page's current stretch outside any element began: (content list, index).
        self._outside: tuple[list[str], int] | None = None

    @property
    def current(self) -> Element:
        return self._open[-1]

    # -- pages ------------------------------------------------------------------------
    def new_page(self, canvas: Canvas) -> None:
        """Call before drawing a page: what is drawn before the first element is an artifact."""
        self.page += 1
        self._mcids = 0
        self._depth = 0
        self._outside = (_code(canvas), len(_code(canvas)))

    def end_page(self, canvas: Canvas) -> None:
        """Call before `showPage`: what was drawn after the last element is an artifact."""
        if self._depth:
            raise RuntimeError(f"tagging: {self._depth} marked-content sequence(s) left open on the page")
        self._close_outside(canvas)

    # -- marked content: every BDC and EMC of ours goes through these two ------------------
    def _bdc(self, canvas: Canvas, role: str, mcid: int) -> None:
        if self._depth == 0:
            self._close_outside(canvas)
        self._depth += 1
        _code(canvas).append(f"/{role} <</MCID {mcid}>> BDC")

    def _emc(self, canvas: Canvas) -> None:
        code = _code(canvas)
        code.append("EMC")
        self._depth -= 1
        if self._depth == 0:
            self._outside = (code, len(code))

    def _close_outside(self, canvas: Canvas) -> None:
        """Wrap the stretch drawn since the last element ended as one artifact, if it paints
        anything. It starts after an EMC and ends before a BDC: between graphics objects."""
        code = _code(canvas)
        if self._outside is not None:
            began, start = self._outside
            if began is code and len(code) > start and _PAINTS.search("\n".join(code[start:])):
                code.insert(start, "/Artifact BMC")
                code.append("EMC")
        self._outside = None

    # -- groups: elements that hold other elements ----------------------------------------
    def open(self, role: str, *, alt: str | None = None, key: str | None = None) -> Element:
        parent = self._open[-1]
        if role == "LI":
            # Consecutive list items share one list.
            last = parent.kids[-1] if parent.kids else None
            if isinstance(last, Element) and last.role == "L" and last.key == "open-list":
                parent = last
            else:
                lst = Element("L", key="open-list")
                parent.kids.append(lst)
                parent = lst
        element = Element(role, alt=alt, key=key)
        parent.kids.append(element)
        self._open.append(element)
        return element

    def close(self) -> None:
        if len(self._open) <= 1:
            raise RuntimeError("tagging: close() without open()")
        closed = self._open.pop()
        for kid in closed.kids:  # a list ends with the element that holds it
            if isinstance(kid, Element) and kid.key == "open-list":
                kid.key = None

    # -- leaves: elements with marked content on the page --------------------------------
    def begin(self, canvas: Canvas, role: str, *, alt: str | None = None, whole: bool = False) -> Element:
        element = self.open(role, alt=alt)
        element.whole = whole
        mcid = self._mcids
        self._mcids += 1
        element.kids.append(MarkedContent(self.page, mcid))
        self._bdc(canvas, role, mcid)
        return element

    def end(self, canvas: Canvas) -> None:
        self._emc(canvas)
        self.close()

    def mark(self, canvas: Canvas, element: Element) -> None:
        """More marked content for an element already begun (e.g. a heading's number badge)."""
        mcid = self._mcids
        self._mcids += 1
        element.kids.append(MarkedContent(self.page, mcid))
        self._bdc(canvas, element.role, mcid)

    def unmark(self, canvas: Canvas) -> None:
        """The end of what `mark` began."""
        self._emc(canvas)

    def finish(self) -> Element:
        """The tree in reading order: the letterhead (clinic, patient) after the title and
        summary, so a screen reader starts with what the card is about."""
        if len(self._open) != 1:
            raise RuntimeError(f"tagging: {len(self._open) - 1} element(s) left open")
        for element in self.root.elements():
            letterheads = [k for k in element.kids if isinstance(k, Element) and k.key == "letterhead"]
            if letterheads:
                rest = [k for k in element.kids if k not in letterheads]
                element.kids = rest + letterheads  # type: ignore[operator]
        _prune(self.root)
        return self.root


def _prune(element: Element) -> None:
    """Drop elements that drew nothing (an empty cell, a list of no items)."""
    element.kids = [k for k in element.kids if isinstance(k, MarkedContent) or k.has_content()]
    for kid in element.kids:
        if isinstance(kid, Element):
            _prune(kid)


def _code(canvas: Canvas) -> list[str]:
    code: list[str] = getattr(canvas, "_code")  # reportlab's page content, one operator per item
    return code


def recorder(canvas: Canvas | None) -> TagRecorder | None:
    """The canvas's recorder, unless there is none or it is muted."""
    found: TagRecorder | None = getattr(canvas, ATTRIBUTE, None) if canvas is not None else None
    if found is None or found.muted:
        return None
    return found


def attach(canvas: Canvas, tags: TagRecorder) -> None:
    setattr(canvas, ATTRIBUTE, tags)


@contextmanager
def marked(canvas: Canvas, role: str, *, alt: str | None = None, whole: bool = False) -> Iterator[Element | None]:
    """Draw inside `with marked(canvas, "P"):` to make it one element's content. With
    `whole`, everything drawn inside belongs to this element (a figure, a numbered heading)."""
    tags = recorder(canvas)
    if tags is None:
        yield None
        return
    current = tags.current
    if current.whole:
        yield current  # text inside a picture is part of the picture (its alt text says it)
        return
    if current.role in LEAVES:
        # Inside a heading opened as a group (number badge + name): one more piece of it.
        tags.mark(canvas, current)
        try:
            yield current
        finally:
            tags.unmark(canvas)
        return
    element = tags.begin(canvas, role, alt=alt, whole=whole)
    try:
        yield element
    finally:
        tags.end(canvas)


@contextmanager
def group(canvas: Canvas, role: str, *, key: str | None = None) -> Iterator[None]:
    """An element that holds the elements drawn inside it (a section, a list item)."""
    tags = recorder(canvas)
    if tags is None:
        yield
        return
    tags.open(role, key=key)
    try:
        yield
    finally:
        tags.close()


@contextmanager
def also(canvas: Canvas, element: Element | None) -> Iterator[None]:
    """More content for an element begun elsewhere."""
    tags = recorder(canvas)
    if tags is None or element is None:
        yield
        return
    tags.mark(canvas, element)
    try:
        yield
    finally:
        tags.unmark(canvas)


# -- flowables that carry structure --------------------------------------------------


class Open(Flowable):
    """A zero-size flowable that opens a group (a section, a panel) where it is drawn.

    Put it first in a list of flowables (a story, a table cell) and `Close()` last."""

    def __init__(self, role: str, *, key: str | None = None) -> None:
        super().__init__()
        self.role = role
        self.key = key
        self.width = self.height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0.0, 0.0

    def draw(self) -> None:
        tags = recorder(self.canv)
        if tags is not None:
            tags.open(self.role, key=self.key)


class Close(Flowable):
    """Closes the group the matching `Open` opened."""

    def __init__(self) -> None:
        super().__init__()
        self.width = self.height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0.0, 0.0

    def draw(self) -> None:
        tags = recorder(self.canv)
        if tags is not None:
            tags.close()


class Whole(Flowable):
    """Wraps any flowable: everything it draws is one element (`role`), as one piece."""

    def __init__(self, content: Flowable, role: str, alt: str | None = None) -> None:
        super().__init__()
        self.content = content
        self.role = role
        self.alt = alt
        # Sizes known before wrapping (a body figure's) are the wrapper's too.
        self.width = getattr(content, "width", 0.0)
        self.height = getattr(content, "height", 0.0)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        width, height = self.content.wrap(availWidth, availHeight)
        self.width, self.height = width, height
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        value: float = self.content.getSpaceBefore()
        return value

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        value: float = self.content.getSpaceAfter()
        return value

    def __getattr__(self, name: str) -> Any:
        # Read-only pass-through (e.g. a body figure's `view`), so callers can treat the
        # wrapper like the picture; never reached for attributes the wrapper sets itself.
        if name == "content":
            raise AttributeError(name)
        return getattr(self.content, name)

    def draw(self) -> None:
        with marked(self.canv, self.role, alt=self.alt, whole=True):
            self.content.drawOn(self.canv, 0, 0)


def Figure(content: Flowable, alt: str) -> Whole:  # noqa: N802 - reads like a flowable
    """A picture with its alternative text."""
    return Whole(content, "Figure", alt)


class Artifact(Flowable):
    """Wraps a flowable whose drawing is decoration only (tagged content inside it is not
    recorded: a second copy of a pocket card, a warning triangle beside its heading)."""

    def __init__(self, content: Flowable) -> None:
        super().__init__()
        self.content = content

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        width, height = self.content.wrap(availWidth, availHeight)
        self.width, self.height = width, height
        return width, height

    def draw(self) -> None:
        with muted(self.canv):
            self.content.drawOn(self.canv, 0, 0)


@contextmanager
def muted(canvas: Canvas) -> Iterator[None]:
    """Drawing inside is recorded as nothing: it is part of the artifact around it."""
    tags: TagRecorder | None = getattr(canvas, ATTRIBUTE, None)
    if tags is None:
        yield
        return
    tags.muted += 1
    try:
        yield
    finally:
        tags.muted -= 1
