"""Reading a tagged PDF back: the structure tree (pikepdf), the text of each marked-content
sequence (pdfium), and every text operator with the marked content around it."""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass, field

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw


@dataclass
class Node:
    role: str
    alt: str | None
    text: str = ""  # this element's own marked content, in order
    kids: list["Node"] = field(default_factory=list)

    def walk(self) -> list["Node"]:
        out = [self]
        for kid in self.kids:
            out += kid.walk()
        return out

    def all_text(self) -> str:
        return self.text + "".join(k.all_text() for k in self.kids)


def _text_objects(pdf: bytes) -> list[tuple[int, int, str]]:
    """(page index, MCID or -1, text) of every text object, in content order."""
    doc = pdfium.PdfDocument(pdf)
    found: list[tuple[int, int, str]] = []
    for index in range(len(doc)):
        page = doc[index]
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=4):
            mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
            length = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (ctypes.c_ushort * (length // 2 + 1))()
            raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
            text = bytes(buffer)[: max(0, length - 2)].decode("utf-16-le", "replace")
            found.append((index, mcid, text))
    return found


def mcid_texts(pdf: bytes) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text drawn inside that marked content."""
    found: dict[tuple[int, int], str] = {}
    for index, mcid, text in _text_objects(pdf):
        if mcid >= 0:
            found[(index, mcid)] = found.get((index, mcid), "") + text
    return found


def artifact_texts(pdf: bytes) -> list[str]:
    """Text drawn outside any element (as artifacts)."""
    return [text for _, mcid, text in _text_objects(pdf) if mcid < 0]


def structure(pdf: bytes) -> Node:
    """The structure tree, each element with the text of its marked content."""
    texts = mcid_texts(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = {page.obj.objgen: i for i, page in enumerate(document.pages)}

        def build(element: pikepdf.Dictionary) -> Node:
            alt = str(element.Alt) if "/Alt" in element else None
            node = Node(str(element.S)[1:], alt)
            page = pages.get(element.Pg.objgen) if "/Pg" in element else None
            kids = element.K
            items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
            for kid in items:
                if isinstance(kid, int):
                    assert page is not None, "an MCID kid needs /Pg on its element"
                    node.text += texts.get((page, int(kid)), "")
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    node.text += texts.get((pages[kid.Pg.objgen], int(kid.MCID)), "")
                else:
                    node.kids.append(build(kid))
            return node

        root = document.Root.StructTreeRoot
        assert len(root.K) == 1
        return build(root.K[0])


# Operators that paint: text, paths, images, shadings, forms.
TEXT_OPS = ("Tj", "TJ", "'", '"')
PAINT_OPS = TEXT_OPS + ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh")


def untagged_text(pdf: bytes) -> list[str]:
    """Text operators that are neither in an element's marked content nor an artifact."""
    return untagged(pdf, TEXT_OPS)


def untagged(pdf: bytes, ops: tuple[str, ...] = PAINT_OPS) -> list[str]:
    """Painting operators that are neither in an element's marked content nor an artifact."""
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        parent_tree = document.Root.StructTreeRoot.ParentTree.Nums
        known = {int(parent_tree[i]): len(parent_tree[i + 1]) for i in range(0, len(parent_tree), 2)}
        for index, page in enumerate(document.pages):
            stack: list[tuple[str, int | None]] = []
            for instruction in pikepdf.parse_content_stream(page):
                if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                    if not stack:
                        problems.append(f"page {index + 1}: an inline image outside the tree")
                    continue
                op = str(instruction.operator)
                if op == "BMC":
                    stack.append((str(instruction.operands[0]), None))
                elif op == "BDC":
                    props = instruction.operands[1]
                    mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                    stack.append((str(instruction.operands[0]), mcid))
                elif op == "EMC":
                    stack.pop()
                elif op in ops:
                    artifact = any(tag == "/Artifact" for tag, _ in stack)
                    ids = [m for _, m in stack if m is not None]
                    in_tree = bool(ids) and ids[-1] < known.get(page.obj.StructParents, 0)
                    if not (artifact or in_tree):
                        problems.append(f"page {index + 1}: {op} outside the tree: {instruction.operands!r}"[:200])
            assert stack == [], f"page {index + 1}: marked content left open"
    return problems
