"""Draw the atlas's own views: side, head and neck, hand and forearm, sole of the foot.

These outlines are routinecard's own work (CC0): smooth closed curves (Catmull-Rom
splines turned into cubic Beziers) through hand-placed points, and named regions as
polygons that the renderer clips to the body. Run `python tools/draw_atlas_views.py` to
rewrite images/atlas/{side,head-neck,hand-forearm,sole}.svg after changing a point.

Every view shows the body's RIGHT side; the renderer mirrors the whole picture for the
left side. Regions keep the names they have in the back and front views where the same
part of the body is meant (neck, trapezius, forearm, hand, calf, heel...).
"""

from __future__ import annotations

from pathlib import Path

Point = tuple[float, ...]  # (x, y) or (x, y, 1) for a corner
OUT = Path(__file__).resolve().parents[1] / "images" / "atlas"


def spline(points: list[Point], closed: bool = True) -> str:
    """A smooth path through the points; a point with a third value 1 is a sharp corner."""
    n = len(points)

    def p(i: int) -> Point:
        return points[i % n] if closed else points[max(0, min(n - 1, i))]

    parts = [f"M {points[0][0]:g} {points[0][1]:g}"]
    for i in range(n if closed else n - 1):
        a, b = p(i), p(i + 1)
        before, after = p(i - 1), p(i + 2)
        sharp_a = len(a) > 2 and a[2] == 1
        sharp_b = len(b) > 2 and b[2] == 1
        c1 = (a[0], a[1]) if sharp_a else (a[0] + (b[0] - before[0]) / 6, a[1] + (b[1] - before[1]) / 6)
        c2 = (b[0], b[1]) if sharp_b else (b[0] - (after[0] - a[0]) / 6, b[1] - (after[1] - a[1]) / 6)
        parts.append(f"C {c1[0]:.1f} {c1[1]:.1f} {c2[0]:.1f} {c2[1]:.1f} {b[0]:g} {b[1]:g}")
    if closed:
        parts.append("Z")
    return " ".join(parts)


def polygon(points: list[tuple[float, float]]) -> str:
    """A region: a smooth closed curve through the points (the renderer clips it to the
    body, so only its inner edges show, and they show as soft curves, not ruled lines)."""
    return spline([(x, y) for x, y in points])


def ellipse(cx: float, cy: float, rx: float, ry: float) -> str:
    k = 0.5523
    return (f"M {cx + rx:g} {cy:g} C {cx + rx:g} {cy + k * ry:.1f} {cx + k * rx:.1f} {cy + ry:g} {cx:g} {cy + ry:g} "
            f"C {cx - k * rx:.1f} {cy + ry:g} {cx - rx:g} {cy + k * ry:.1f} {cx - rx:g} {cy:g} "
            f"C {cx - rx:g} {cy - k * ry:.1f} {cx - k * rx:.1f} {cy - ry:g} {cx:g} {cy - ry:g} "
            f"C {cx + k * rx:.1f} {cy - ry:g} {cx + rx:g} {cy - k * ry:.1f} {cx + rx:g} {cy:g} Z")


def write(view: str, width: int, height: int, outline: str, regions: dict[str, str],
          details: list[str], note: str) -> None:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<!-- routinecard atlas, {view} view: {note}",
        "     Drawn for routinecard by tools/draw_atlas_views.py; CC0 (see LICENSE.md). -->",
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" data-view="{view}">',
        f'  <path id="outline" fill="#e1e6ec" stroke="#56606b" d="{outline}"/>',
        '  <g id="details" fill="none" stroke="#8795a3">',
        *[f'    <path d="{d}"/>' for d in details],
        "  </g>",
        '  <g id="regions" fill="none" stroke="none">',
        *[f'    <path id="{name}" d="{d}"/>' for name, d in regions.items()],
        "  </g>",
        "</svg>",
        "",
    ]
    (OUT / f"{view}.svg").write_text("\n".join(lines))


def sole() -> None:
    """The right foot seen from below, toes up: the big toe is on the viewer's right."""
    outline = [
        (150, 625), (198, 616), (226, 586), (234, 540), (227, 482), (226, 425), (240, 362), (258, 300),
        (270, 240), (276, 185), (270, 132), (252, 100), (228, 90), (204, 100), (192, 135), (188, 195),
        (182, 204), (180, 160), (172, 124), (160, 115), (148, 124), (144, 162), (142, 212),
        (137, 218), (135, 178), (128, 146), (117, 140), (108, 152), (106, 186), (104, 228),
        (99, 234), (98, 204), (91, 176), (80, 172), (72, 185), (71, 214), (68, 250),
        (63, 256), (61, 232), (53, 220), (44, 228), (42, 256), (44, 300), (52, 370), (66, 445),
        (80, 520), (88, 580), (110, 614),
    ]
    regions = {
        "toes": polygon([(0, 0), (300, 0), (300, 228), (0, 262)]),
        "ball-of-foot": polygon([(0, 262), (300, 228), (300, 350), (0, 360)]),
        "arch": polygon([(160, 352), (300, 345), (300, 530), (165, 520)]),
        "outer-sole": polygon([(0, 360), (160, 352), (165, 520), (0, 530)]),
        "heel": polygon([(0, 530), (300, 530), (300, 640), (0, 640)]),
    }
    details = [
        "M 196 230 C 178 236 160 238 146 240",  # toe creases
        "M 140 244 C 128 248 116 252 106 256",
        "M 101 260 C 90 264 80 268 70 272",
        ellipse(150, 565, 52, 42),  # heel pad
    ]
    write("sole", 300, 640, spline(outline), regions, details,
          "the sole of the right foot, seen from below, toes up")


def head_neck() -> None:
    """The right side of the head and neck, face to the viewer's right."""
    outline = [
        (225, 40), (292, 52), (340, 92), (360, 140), (366, 176), (386, 214), (372, 228), (370, 250),
        (376, 262), (368, 274), (372, 286), (362, 312), (336, 326), (300, 332), (296, 372), (304, 430),
        (330, 476), (400, 500), (470, 520, 1), (470, 560, 1), (30, 560, 1), (30, 500, 1), (90, 478),
        (140, 452), (162, 400), (160, 340), (132, 300), (104, 246), (100, 170), (128, 100), (170, 58),
    ]
    regions = {
        "head": polygon([(0, 0), (500, 0), (500, 330), (0, 330)]),
        "temple": ellipse(272, 148, 62, 46),
        "forehead": ellipse(340, 108, 34, 40),
        "jaw": polygon([(258, 232), (338, 226), (352, 300), (332, 326), (272, 318)]),
        "back-of-head": polygon([(60, 100), (200, 90), (205, 250), (70, 280)]),
        "base-of-skull": polygon([(80, 260), (215, 270), (215, 330), (80, 340)]),
        "behind-the-eye": ellipse(330, 178, 26, 20),
        "ear": ellipse(222, 222, 22, 34),
        "neck": polygon([(120, 320), (320, 320), (330, 470), (140, 470)]),
        "back-of-neck": polygon([(120, 300), (215, 300), (215, 450), (120, 460)]),
        "side-of-neck": polygon([(205, 330), (285, 330), (300, 470), (200, 470)]),
        "trapezius": polygon([(20, 440), (230, 430), (250, 560), (20, 560)]),
        "chest": polygon([(300, 470), (500, 470), (500, 560), (260, 560)]),
        "shoulder-blade": polygon([(20, 500), (150, 496), (150, 560), (20, 560)]),
    }
    details = [
        "M 210 196 C 232 188 246 204 244 226 C 242 246 230 258 216 254",  # ear
        "M 320 176 C 332 170 344 170 352 176",  # eye
        "M 262 236 C 270 270 286 300 320 322",  # jaw line
        "M 152 300 C 176 314 200 318 224 316",  # base of the skull
        "M 236 268 C 250 330 276 410 312 470",  # sternocleidomastoid
    ]
    write("head-neck", 500, 560, spline(outline), regions, details,
          "the right side of the head and neck, face to the viewer's right")


def arm(x0: float, palm: bool) -> tuple[list[Point], list[str]]:
    """The right forearm and hand, elbow up, hand down; palm side or back of the hand.

    With the palm toward the viewer the thumb is on the viewer's left; with the back of
    the hand toward the viewer it is on the viewer's right."""
    s = 1 if palm else -1  # which way the thumb points
    cx = x0 + 120
    thumb_side = cx - s * 1  # reference

    def side(dx: float) -> float:  # positive dx toward the thumb
        return cx - s * dx

    thumb_edge = [
        (side(62), 20, 1), (side(64), 120), (side(54), 250), (side(40), 390), (side(44), 430),
        (side(62), 470), (side(86), 520), (side(96), 560), (side(84), 576), (side(62), 552),
        (side(46), 540), (side(48), 600), (side(46), 660),
    ]
    tip = [(side(30), 700), (side(0), 712), (side(-30), 704)]
    little_edge = [
        (side(-48), 670), (side(-52), 600), (side(-50), 520), (side(-42), 430), (side(-38), 390),
        (side(-50), 250), (side(-62), 120), (side(-60), 20, 1),
    ]
    points = thumb_edge + tip + little_edge
    if not palm:
        points = points  # the same shape, thumb on the other side
    details = [
        f"M {side(24):g} 596 L {side(24):g} 690",  # finger lines
        f"M {side(0):g} 600 L {side(0):g} 708",
        f"M {side(-24):g} 596 L {side(-24):g} 690",
        f"M {side(40):g} 428 C {side(10):g} 436 {side(-10):g} 436 {side(-40):g} 428",  # wrist crease
    ]
    if palm:
        details.append(f"M {side(44):g} 470 C {side(20):g} 500 {side(16):g} 540 {side(28):g} 580")  # thenar crease
    else:
        for dx in (36, 12, -12, -36):  # knuckles, so the back of the hand reads as the back
            details.append(f"M {side(dx + 8):g} 586 C {side(dx + 4):g} 578 {side(dx - 4):g} 578 {side(dx - 8):g} 586")
    return points, details


def hand_forearm() -> None:
    palm_points, palm_details = arm(20, True)
    back_points, back_details = arm(300, False)
    outline = spline(palm_points) + " " + spline(back_points)
    cx_palm, cx_back = 140, 420

    def band(cx: float, y0: float, y1: float, w: float = 110) -> str:
        return polygon([(cx - w, y0), (cx + w, y0), (cx + w, y1), (cx - w, y1)])

    regions = {
        "elbow": band(cx_palm, 0, 70) + " " + band(cx_back, 0, 70),
        "forearm": band(cx_palm, 70, 420) + " " + band(cx_back, 70, 420),
        "forearm-palm-side": band(cx_palm, 70, 420),
        "forearm-back": band(cx_back, 70, 420),
        "wrist": band(cx_palm, 400, 450) + " " + band(cx_back, 400, 450),
        "hand": band(cx_palm, 420, 720) + " " + band(cx_back, 420, 720),
        "palm": band(cx_palm, 440, 600),
        "back-of-hand": band(cx_back, 440, 600),
        "thenar": polygon([(cx_palm - 110, 440), (cx_palm - 18, 450), (cx_palm - 18, 590), (cx_palm - 110, 600)]),
        "thumb": polygon([(cx_palm - 110, 500), (cx_palm - 60, 520), (cx_palm - 50, 600), (cx_palm - 110, 600)])
        + " " + polygon([(cx_back + 110, 500), (cx_back + 60, 520), (cx_back + 50, 600), (cx_back + 110, 600)]),
        "fingers": band(cx_palm, 592, 720) + " " + band(cx_back, 592, 720),
    }
    write("hand-forearm", 560, 730, outline, regions, palm_details + back_details,
          "the right forearm and hand: palm side (left figure) and back of the hand (right figure)")


WIDEN = 1.25


def _widen(d: str) -> str:
    """Scale a path's x coordinates about x = 360 (path data as this script writes it)."""
    out: list[str] = []
    numbers: list[str] = []
    for token in d.split():
        if token.isalpha():
            out.append(token)
            continue
        numbers.append(token)
        if len(numbers) % 2 == 1:
            out.append(f"{360 + (float(token) - 360) * WIDEN:.1f}")
        else:
            out.append(token)
    return " ".join(out)


def side() -> None:
    """The right side of the whole body, face to the viewer's right (arm not drawn)."""
    outline = [
        (352, 16), (392, 30), (410, 58), (414, 74), (426, 88), (416, 98), (418, 112), (410, 124),
        (390, 132), (384, 152), (392, 176), (420, 214), (428, 250), (414, 282), (412, 330), (420, 392),
        (418, 450), (408, 500), (412, 560), (414, 660), (404, 760), (394, 830), (390, 880), (384, 990),
        (378, 1100), (378, 1148), (404, 1176), (448, 1194), (470, 1206), (466, 1216, 1), (330, 1216, 1),
        (322, 1196), (330, 1150), (336, 1080), (324, 980), (312, 910), (334, 840), (330, 760),
        (322, 690), (308, 630), (296, 570), (304, 510), (326, 455), (322, 390), (306, 320), (300, 250),
        (310, 190), (326, 160), (334, 136), (316, 116), (300, 84), (304, 44),
    ]
    regions = {
        "head": polygon([(250, 0), (470, 0), (470, 128), (250, 128)]),
        "neck": polygon([(250, 118), (470, 118), (470, 168), (250, 168)]),
        "trapezius": polygon([(250, 150), (360, 150), (360, 210), (250, 240)]),
        "upper-back": polygon([(250, 220), (350, 200), (350, 380), (250, 380)]),
        "chest": polygon([(360, 180), (470, 180), (470, 290), (360, 290)]),
        "belly": polygon([(372, 290), (470, 290), (470, 500), (372, 500)]),
        "side-of-waist": polygon([(330, 300), (392, 300), (392, 450), (330, 450)]),
        "lower-back": polygon([(250, 380), (340, 380), (340, 470), (250, 470)]),
        "buttock": polygon([(250, 470), (318, 470), (318, 640), (250, 640)]),
        "side-of-hip": polygon([(318, 440), (392, 440), (392, 600), (318, 600)]),
        "side-of-thigh": polygon([(334, 600), (384, 600), (378, 820), (340, 820)]),
        "front-of-thigh": polygon([(384, 520), (470, 520), (470, 810), (378, 810)]),
        "back-of-thigh": polygon([(250, 640), (334, 600), (340, 820), (250, 820)]),
        "knee": polygon([(250, 800), (470, 800), (470, 880), (250, 880)]),
        "calf": polygon([(250, 880), (350, 880), (350, 1100), (250, 1100)]),
        "outer-leg": polygon([(340, 900), (376, 900), (372, 1120), (344, 1120)]),
        "shin": polygon([(374, 880), (470, 880), (470, 1130), (370, 1130)]),
        "ankle": polygon([(250, 1120), (470, 1120), (470, 1180), (250, 1180)]),
        "foot": polygon([(360, 1160), (500, 1160), (500, 1230), (360, 1230)]),
        "heel": polygon([(250, 1160), (362, 1160), (362, 1230), (250, 1230)]),
    }
    details = [
        "M 352 78 C 362 70 376 74 378 90 C 380 104 368 112 358 108",  # ear
        "M 330 442 C 350 436 380 440 404 452",  # top of the hip bone
        "M 356 600 C 358 680 362 760 364 830",  # iliotibial band
        "M 384 846 C 390 852 392 862 388 870",  # kneecap
    ]
    # Drawn narrow, then widened about x = 360 so the figure reads at card sizes.
    outline = [(360 + (p[0] - 360) * WIDEN, *p[1:]) for p in outline]
    regions = {name: _widen(d) for name, d in regions.items()}
    details = [_widen(d) for d in details]
    write("side", 724, 1230, spline(outline), regions, details,
          "the right side of the body, face to the viewer's right (the arm is not drawn)")


if __name__ == "__main__":
    sole()
    head_neck()
    hand_forearm()
    side()
