"""The one-page fit: every card on every layout, the overflow error, random cards, and
golden images of each built-in layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from conftest import CARDS, ROOT, SCIATICA, all_strings, printed, card_data, page_count, page_size, page_text, render, squash, write_card
from routinecard import build_pdf
from routinecard.api import build_prepared
from routinecard.prepare import load_input as load_card_path, prepare
from routinecard.errors import FitError
from routinecard.layouts import builtin_layouts, load_layout

GOLDEN = ROOT / "tests" / "golden"
GOLDEN_OUTPUT = ROOT / "tests" / "output" / "golden"  # actual images of failed comparisons (git-ignored)
GOLDEN_DPI = 100  # a marker is about 12 px across: moved by a few points, it shows
PIXEL_TOLERANCE = 48  # a channel may differ this much (antialiasing) before a pixel counts as changed
CHANGED_PIXELS_ALLOWED = 25  # far fewer than one marker covers (about 110 px)

CARD_FILES = sorted(CARDS.glob("*.yaml"))
LAYOUTS = sorted(builtin_layouts())
SHEETS = {
    "letter": (612.0, 792.0),
    "a4": (595.3, 841.9),
    "large-print": (612.0, 792.0),
    "large-print-a4": (595.3, 841.9),
    "large-print-tabloid": (792.0, 1224.0),
    "half-letter-2up": (792.0, 612.0),
}
SPLITS = {"large-print", "large-print-a4", "large-print-tabloid", "half-letter-2up"}


def printed_strings(data: dict) -> list[str]:
    skip = {data["id"], data.get("language", "en"), *data.get("body_regions", [])}
    for point in data["points"]:
        skip |= {point["id"], point["tool"], point.get("side", "right"), point.get("marker", {}).get("view", ""),
                 point.get("site", ""), point.get("view", "")}
        skip |= set(all_strings(point.get("pose", {})))  # a pose is drawn, not written
    return [printed(data, s) for s in all_strings(data) if s not in skip]


def test_every_built_in_layout_is_known() -> None:
    assert set(LAYOUTS) == set(SHEETS)
    for name in LAYOUTS:
        assert load_layout(name).description


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("card", CARD_FILES, ids=lambda p: p.stem)
def test_every_card_on_every_layout(card: Path, layout: str) -> None:
    """Every routine x language x built-in layout, built as a clinic would: by the
    routine's id and the language (the library finds the file). One page; or, where the
    layout splits, a set of whole one-page cards: every page has the title and the whole
    medical box, and no word of the card is lost."""
    import yaml

    from conftest import pdf_document

    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    language = data.get("language", "en")
    pdf = build_pdf(data["id"], language=language, layout=layout)
    pages = page_count(pdf)
    assert pages == 1 or layout in SPLITS
    assert all(page_size(pdf, i) == SHEETS[layout] for i in range(pages))
    text = squash(page_text(pdf))
    assert [s for s in printed_strings(data) if squash(s) not in text] == []
    document = pdf_document(pdf)
    urgent = [squash(item) for item in data["medical_attention"]["urgent"]["items"]]
    for index in range(pages):
        page = squash(document[index].get_textpage().get_text_range())
        assert squash(data["title"]) in page
        assert all(item in page for item in urgent), f"page {index + 1} lacks the medical box"


@pytest.mark.parametrize("card", CARD_FILES, ids=lambda p: p.stem)
def test_pocket_card_holds_one_point_of_every_card(card: Path, tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    data["points"] = data["points"][:1]
    pdf = build_pdf(write_card(tmp_path, data), layout="half-letter-2up")
    assert page_count(pdf) == 1 and page_size(pdf) == (792.0, 612.0)
    text = page_text(pdf)
    # printed twice, side by side
    assert text.count(data["points"][0]["name"]) == 2
    for s in printed_strings(data):
        assert squash(s) in squash(text)


@pytest.mark.parametrize("layout", ["large-print", "large-print-a4", "large-print-tabloid"])
def test_large_print_is_16pt_with_18pt_headings(layout: str) -> None:
    loaded = load_card_path(SCIATICA)
    built = build_prepared(prepare(loaded, layout=load_layout(layout)))
    assert built.layout.type.min == 16 and built.layout.type.heading >= 18
    for plan in built.plans:
        assert plan.scale * built.layout.type.body >= 16 - 0.01


def test_fit_scale_is_recorded_and_in_range() -> None:
    from routinecard.fit import forget_scales

    loaded = load_card_path(SCIATICA)
    for name in ("letter", "a4", "large-print"):
        forget_scales()  # count a real search, not a remembered scale
        layout = load_layout(name)
        for plan in build_prepared(prepare(loaded, layout=layout)).plans:
            assert layout.min_scale <= plan.scale <= layout.max_scale
            assert plan.height <= plan.available + 0.01
            assert 1 <= plan.passes <= 12  # a search, not a blind walk


def test_short_card_grows_to_fill_the_page(tmp_path: Path) -> None:
    data = card_data()
    data["points"] = data["points"][:1]
    loaded = load_card_path(write_card(tmp_path, data))
    layout = load_layout("letter")
    plan = build_prepared(prepare(loaded, layout=layout)).plan
    full = build_prepared(prepare(load_card_path(SCIATICA), layout=layout)).plan
    assert plan.scale >= 1.0 > full.scale  # type grows past the layout's base size
    assert plan.available - plan.height < 0.25 * plan.available  # and the page is not left half empty


def test_overflow_message_says_by_how_much_and_what_to_do(tmp_path: Path) -> None:
    data = card_data()
    data["summary"] = " ".join(["This sentence makes the summary far too long for one page."] * 60)
    path = write_card(tmp_path, data)
    with pytest.raises(FitError) as caught:
        build_pdf(path, layout="letter")
    message = str(caught.value)
    assert message.startswith(f"{path}: does not fit on one 'letter' page, even with the smallest type (8.5pt): about ")
    assert " in (" in message and "mm) too long" in message
    # only what helps this card: the summary is the longest text; no layout was found
    # where it fits (so none is named), but a set of cards holds it
    assert "keep fewer points (`only:` in a patient file)" in message
    assert "shorten the longest texts: summary (" in message
    assert "print it as a set of 2 one-page cards" in message
    # the API's message names no command-line options (the CLI adds them: test_cli)
    assert "--" not in message and caught.value.roomier == ()
    assert caught.value.overflow > 0


def test_overflow_advice_was_measured() -> None:
    """A layout is suggested only when the card was tried on it and fits; --split only
    when the set works; fewer points only when there is more than one."""
    capacity_long = ROOT / "tests" / "fixtures" / "capacity" / "long-patient.yaml"
    with pytest.raises(FitError) as caught:
        build_pdf(capacity_long, layout="letter")
    message = str(caught.value)
    assert "print it as a set of 2 one-page cards" in message
    assert caught.value.problems[0].set_of == 2 and caught.value.problems[0].points == 4
    with pytest.raises(FitError) as caught:
        build_pdf(capacity_long, layout="a4")
    assert "letter" not in caught.value.roomier  # letter was tried: it does not fit either


def test_one_point_card_is_not_told_to_keep_fewer_points(tmp_path: Path) -> None:
    data = card_data()
    data["points"] = data["points"][:1]
    data["points"][0]["where"] = " ".join(["Deep in the buttock, near the bone."] * 120)
    with pytest.raises(FitError) as caught:
        build_pdf(write_card(tmp_path, data), layout="letter")
    message = str(caught.value)
    assert "keep fewer points" not in message
    assert "points.piriformis.where (" in message


WORDS = st.sampled_from(
    "press hold the ball slowly breathe hip thigh leg back knee calf side wall floor "
    "gently firm tender spot muscle rest lean roll move find ease".split()
)
SENTENCE = st.lists(WORDS, min_size=2, max_size=40).map(lambda words: " ".join(words).capitalize() + ".")


@st.composite
def random_cards(draw) -> dict:
    data = card_data()
    count = draw(st.integers(min_value=1, max_value=8))
    template = data["points"][0]
    points = []
    for index in range(count):
        point = dict(template)
        point["id"] = f"point-{index}"
        point["name"] = f"Point {index} " + draw(SENTENCE)
        point["where"] = draw(SENTENCE)
        point["steps"] = draw(st.lists(SENTENCE, min_size=1, max_size=5))
        points.append(point)
    data["points"] = points
    data["summary"] = draw(SENTENCE)
    data["before_you_start"] = draw(st.lists(SENTENCE, min_size=0, max_size=6))
    return data


def test_random_cards_fit_one_page_or_say_why(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every random card is one faithful page or a FitError saying by how much; and some
    of them must fit, or a fit that never succeeds would pass."""
    outcomes: list[str] = []

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=random_cards())
    def one_card(data: dict) -> None:
        folder = tmp_path_factory.mktemp("random")
        path = write_card(folder, data)
        try:
            pdf = build_pdf(path)
        except FitError as error:
            assert "too long" in str(error)
            assert error.overflow > 0
            outcomes.append("too long")
            return
        assert page_count(pdf) == 1
        text = squash(page_text(pdf))
        missing = [s for s in printed_strings(data) if squash(s) not in text]
        assert missing == []
        outcomes.append("fits")

    one_card()
    assert "fits" in outcomes, f"none of {len(outcomes)} random cards fitted one page"


def golden_pdf(layout: str, tmp_path: Path) -> bytes:
    card = SCIATICA
    if layout == "half-letter-2up":
        data = card_data()
        data["points"] = data["points"][:1]
        card = write_card(tmp_path, data)
    return build_pdf(card, layout=layout)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_golden_image(layout: str, tmp_path: Path, regenerate: bool) -> None:
    """The page looks as it did when the reference was approved, pixel for pixel at 100 dpi.

    Regenerate after an intended change of look: `pytest tests/test_fit.py -k golden
    --regenerate` (or ROUTINECARD_REGENERATE=1), then look at tests/golden/*.png before
    committing them. A failed comparison keeps the actual image and a difference image in
    tests/output/golden/.
    """
    image = render(golden_pdf(layout, tmp_path), dpi=GOLDEN_DPI)
    reference = GOLDEN / f"{layout}.png"
    if regenerate:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        image.save(reference, optimize=True)
        return
    if not reference.exists():
        pytest.fail(f"no reference image {reference}; run pytest with --regenerate to create it")
    expected = Image.open(reference).convert("RGB")
    changed = -1
    if image.size == expected.size:
        red, green, blue = ImageChops.difference(image, expected).split()
        difference = ImageChops.lighter(ImageChops.lighter(red, green), blue)  # the largest channel change
        changed = sum(difference.point(lambda v: 255 if v > PIXEL_TOLERANCE else 0).histogram()[255:])
        if changed <= CHANGED_PIXELS_ALLOWED:
            return
    GOLDEN_OUTPUT.mkdir(parents=True, exist_ok=True)
    actual = GOLDEN_OUTPUT / f"{layout}.actual.png"
    image.save(actual)
    shutil.copyfile(reference, GOLDEN_OUTPUT / f"{layout}.expected.png")
    if image.size == expected.size:
        ImageChops.difference(image, expected).save(GOLDEN_OUTPUT / f"{layout}.diff.png")
    why = f"{changed} pixels differ" if changed >= 0 else f"size {image.size} instead of {expected.size}"
    pytest.fail(f"{layout}: {why} from {reference}; the actual page is {actual} (and .expected/.diff beside it)")


def text_sizes(pdf: bytes) -> list[tuple[float, str]]:
    """(printed size in points, text) of every text object on every page."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(pdf)
    sizes = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=4):
            size = ctypes.c_float()
            raw.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
            a, b, c, d, _, _ = obj.get_matrix().get()
            scale = (abs(a * d - b * c)) ** 0.5
            length = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)  # in bytes, with the final NUL
            buffer = (ctypes.c_ushort * (length // 2 + 1))()
            raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
            text = bytes(buffer)[: max(0, length - 2)].decode("utf-16-le", "replace")
            sizes.append((size.value * scale, text))
    return sizes


@pytest.mark.parametrize(
    ("layout", "minimum"),
    [("letter", 8.5), ("a4", 8.5), ("large-print", 16.0), ("large-print-a4", 16.0), ("large-print-tabloid", 16.0)],
)
def test_no_text_is_smaller_than_the_minimum(layout: str, minimum: float) -> None:
    """Rule 7: every piece of text on every page, labels and marker numbers included
    (large print: 16 pt, on Letter and A4 as well as tabloid)."""
    sizes = text_sizes(build_pdf(SCIATICA, layout=layout))
    assert len(sizes) > 100
    small = [(round(size, 2), text) for size, text in sizes if size < minimum - 0.01 and text.strip() not in ("", "!")]
    assert small == []


def test_the_urgent_red_flags_are_never_split_across_the_two_columns() -> None:
    """The medical box's two columns are balanced, but the urgent tier stays in one column:
    its last red flag at the top of the right column, above "Stop and contact your doctor",
    could be read as one of the less urgent signs (it happened on the neck card)."""
    from reportlab.platypus import Flowable

    from routinecard.compose.sections import balanced_columns

    class Block(Flowable):
        def __init__(self, height: float) -> None:
            super().__init__()
            self.height = height

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
            return 100.0, self.height

    urgent = [Block(10), Block(30), Block(30), Block(30), Block(30)]  # a title and four long items
    soon = [Block(10), Block(10), Block(10)]
    left, right = balanced_columns(urgent + soon, 100, titles=(urgent[0], soon[0]))
    assert right[0] is not soon[0]  # balanced alone, it splits inside the urgent tier
    left, right = balanced_columns(urgent + soon, 100, titles=(urgent[0], soon[0]), unbroken=len(urgent))
    assert left == urgent and right == soon
