"""The structure tree: a rendered PDF + what `tagging` recorded -> a tagged PDF.

reportlab writes the pages with marked content in them; this module (with pikepdf) adds
what makes the file a tagged PDF for screen readers: every drawing outside an element
wrapped as an `/Artifact`, the structure tree (Document > Sect > H1, P, L > LI > Lbl,
LBody, Figure with /Alt) with its parent tree, `/MarkInfo`, `/Lang`, the title shown in
the window, and XMP metadata that names the title and PDF/UA-1.

The output is deterministic: the same input bytes and record give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, String

from routinecard.tagging import Element, MarkedContent

# Operators that start a graphics object, and those that end one (PDF 32000-1, 8.2).
_STARTS = frozenset({"BT", "m", "re", "Do", "sh", "BI", "INLINE IMAGE"})
_ENDS = frozenset({"ET", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n", "Do", "sh", "BI", "INLINE IMAGE"})


@dataclass(frozen=True)
class DocumentInfo:
    title: str
    language: str
    author: str = ""
    subject: str = ""


def tag_pdf(pdf: bytes, tree: Element, info: DocumentInfo) -> bytes:
    """Add the structure tree, artifacts and accessibility metadata to `pdf`."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = list(document.pages)
        for page in pages:
            _wrap_artifacts(document, page)
        parents: dict[int, dict[int, pikepdf.Object]] = {index: {} for index in range(len(pages))}
        root = document.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        top = _element(document, tree, root, pages, parents)
        root.K = Array([top])
        nums = Array()
        for index, page in enumerate(pages):
            mcids = parents[index]
            nums.append(index)
            nums.append(document.make_indirect(Array([mcids[i] for i in range(len(mcids))])))
            page.obj.StructParents = index
            page.obj.Tabs = Name.S
        root.ParentTree = document.make_indirect(Dictionary(Nums=nums))
        root.ParentTreeNextKey = len(pages)
        catalog = document.Root
        catalog.StructTreeRoot = root
        catalog.MarkInfo = Dictionary(Marked=True, Suspects=False)
        catalog.Lang = String(info.language)
        catalog.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        _metadata(document, info)
        out = io.BytesIO()
        document.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            min_version="1.7",
        )
    return out.getvalue()


def _element(
    document: pikepdf.Pdf,
    element: Element,
    parent: pikepdf.Object,
    pages: list[pikepdf.Page],
    parents: dict[int, dict[int, pikepdf.Object]],
) -> pikepdf.Object:
    node = document.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + element.role), P=parent))
    kids = Array()
    first_page = next((k.page for k in _marked(element)), None)
    if first_page is not None:
        node.Pg = pages[first_page].obj
    for kid in element.kids:
        if isinstance(kid, MarkedContent):
            if kid.page == first_page:
                kids.append(kid.mcid)
            else:
                kids.append(Dictionary(Type=Name.MCR, Pg=pages[kid.page].obj, MCID=kid.mcid))
            parents[kid.page][kid.mcid] = node
        else:
            kids.append(_element(document, kid, node, pages, parents))
    # One marked-content sequence: /K is its MCID alone (the common form, and the one
    # every reader and checker understands).
    node.K = kids[0] if len(kids) == 1 and isinstance(element.kids[0], MarkedContent) and node.get("/Pg") is not None and not isinstance(kids[0], Dictionary) else kids
    if element.alt is not None:
        node.Alt = String(element.alt)
    return node


def _marked(element: Element) -> list[MarkedContent]:
    return [k for k in element.kids if isinstance(k, MarkedContent)]


def _wrap_artifacts(document: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Every graphics object drawn outside marked content becomes an `/Artifact`: only the
    objects themselves are wrapped (never a q/Q or a state change), so marked content and
    the graphics state stay properly nested."""
    out: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
    depth = 0
    open_artifact = False
    begin = pikepdf.ContentStreamInstruction([Name.Artifact], Operator("BMC"))
    end = pikepdf.ContentStreamInstruction([], Operator("EMC"))
    for instruction in pikepdf.parse_content_stream(page):
        op = "INLINE IMAGE" if isinstance(instruction, pikepdf.ContentStreamInlineImage) else str(instruction.operator)
        if op in ("BDC", "BMC", "EMC"):
            if open_artifact:
                out.append(end)
                open_artifact = False
            depth += -1 if op == "EMC" else 1
            out.append(instruction)
            continue
        if depth == 0 and not open_artifact and op in _STARTS:
            out.append(begin)
            open_artifact = True
        out.append(instruction)
        if open_artifact and op in _ENDS:
            out.append(end)
            open_artifact = False
    if open_artifact:
        out.append(end)
    page.obj.Contents = document.make_stream(pikepdf.unparse_content_stream(out))


def _metadata(document: pikepdf.Pdf, info: DocumentInfo) -> None:
    """XMP with the title, language and PDF/UA identification, matching the Info dictionary."""
    with document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        docinfo = document.docinfo
        meta["dc:title"] = info.title
        if info.author:
            meta["dc:creator"] = [info.author]
        if info.subject:
            meta["dc:description"] = info.subject
        for key, field in (("xmp:CreatorTool", "/Creator"), ("pdf:Producer", "/Producer")):
            if field in docinfo:
                meta[key] = str(docinfo[field])
        meta["dc:language"] = [info.language]
        meta["pdfuaid:part"] = "1"
