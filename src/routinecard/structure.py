"""The structure tree: a rendered PDF + what `tagging` recorded -> a tagged PDF.

reportlab writes the pages with marked content and artifacts in them (`tagging`); this
module (with pikepdf) adds what makes the file a tagged PDF for screen readers: the
structure tree (Document > Sect > H1, P, L > LI > Lbl,
LBody, Figure with /Alt) with its parent tree, `/MarkInfo`, `/Lang`, the title shown in
the window, and XMP metadata that names the title and PDF/UA-1.

The output is deterministic: the same input bytes and record give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from routinecard.tagging import Element, MarkedContent

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
        _single_filters(document)
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
            object_stream_mode=pikepdf.ObjectStreamMode.generate,  # the tree's ~150 small objects, compressed together
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


def _single_filters(document: pikepdf.Pdf) -> None:
    """`/Filter [/FlateDecode]` (reportlab's form) -> `/Filter /FlateDecode`, the same
    filter: qpdf decodes and compresses again every stream whose filter is an array, a
    second zlib pass over the whole file (most of the time this module took)."""
    for obj in document.objects:
        if isinstance(obj, pikepdf.Stream):
            filters = obj.get("/Filter")
            if isinstance(filters, pikepdf.Array) and len(filters) == 1:
                obj.Filter = filters[0]


def _marked(element: Element) -> list[MarkedContent]:
    return [k for k in element.kids if isinstance(k, MarkedContent)]


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
