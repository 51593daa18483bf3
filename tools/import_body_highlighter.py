"""Import the back and front views of the atlas from react-native-body-highlighter (MIT).

Run once, by hand, when the upstream geometry changes:

    npm pack react-native-body-highlighter && tar xzf react-native-body-highlighter-*.tgz
    python tools/import_body_highlighter.py package/

It reads the package's path data (through node, which reads the JavaScript modules),
converts every path to absolute lines and cubic curves, moves both views onto one grid
(724 x 1230, origin top left, the body's midline at x = 362), names regions by the
body's side (the package names them by the viewer's side), and writes
images/atlas/back.svg and images/atlas/front.svg. Region names are ours (see RENAME).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from routinecard.figures.svgpath import format_path, parse_path  # noqa: E402

WIDTH, HEIGHT, TOP = 724.0, 1230.0, 140.0
RENAME = {
    "neck": "neck", "trapezius": "trapezius", "deltoids": "deltoid", "upper-back": "upper-back",
    "triceps": "triceps", "lower-back": "lower-back", "forearm": "forearm", "gluteal": "buttock",
    "adductors": "inner-thigh", "hamstring": "back-of-thigh", "calves": "calf", "ankles": "ankle",
    "feet": "foot", "hands": "hand", "head": "head", "hair": "head", "chest": "chest",
    "obliques": "side-of-waist", "abs": "belly", "biceps": "biceps", "quadriceps": "front-of-thigh",
    "knees": "knee", "tibialis": "shin",
}
# Our own (CC0): the area of each arm, from the shoulder down, faded in close-ups of the
# back, hip and thigh so the hanging arm and hand do not read as part of the site (body's
# right side, back view grid; mirrored for the left and for the front view). The line
# runs over the top of the shoulder, down the armpit and along the gap beside the body.
ARM_MASK = [(462, 140), (724, 140), (724, 900), (560, 900), (522, 640), (502, 520), (496, 440), (492, 300),
            (486, 250), (472, 190)]
OUTLINE_MARK = {"front": 'side === "front" && (<react_native_svg_1.Path stroke={border} vectorEffect="non-scaling-stroke" d="',
                "back": 'side === "back" && (<react_native_svg_1.Path stroke={border} vectorEffect="non-scaling-stroke" d="'}


def main(package: Path) -> None:
    assets = package / "dist" / "assets"
    wrapper = (package / "dist" / "components" / "SvgMaleWrapper.js").read_text()
    out_dir = Path(__file__).resolve().parents[1] / "images" / "atlas"
    for view, module, name, dx in (("front", "bodyFront", "bodyFront", 0.0), ("back", "bodyBack", "bodyBack", -724.0)):
        script = f"console.log(JSON.stringify(require({str(assets / module)!r}).{name}))"
        parts = json.loads(subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout)
        start = wrapper.index(OUTLINE_MARK[view]) + len(OUTLINE_MARK[view])
        outline = wrapper[start:wrapper.index('"', start)]
        regions: dict[str, list[str]] = {}
        for part in parts:
            region = RENAME[part["slug"]]
            for key, paths in part.get("path", {}).items():
                for d in paths:
                    segments = parse_path(d, dx, -TOP)
                    if key == "common":
                        side = ""
                    else:  # the package's "left" is the viewer's left
                        viewer_left = key == "left"
                        body_right = viewer_left if view == "front" else not viewer_left
                        side = "-right" if body_right else "-left"
                    regions.setdefault(region + side, []).append(format_path(segments))
        body = parse_path(outline, dx, -TOP)
        if body[-1][0] != "Z":
            body.append(("Z", ()))
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f"<!-- routinecard atlas, {view} view. Geometry from react-native-body-highlighter 3.2.0",
            "     (c) 2022 ELABBASSI Hicham, MIT licence: see LICENSE.md beside this file.",
            "     Converted by tools/import_body_highlighter.py: absolute paths, one grid, regions",
            "     named by the body's side. -->",
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" data-view="{view}">',
            f'  <path id="outline" fill="#e1e6ec" stroke="#56606b" d="{format_path(body)}"/>',
            '  <g id="regions" fill="#c9d3dd" stroke="#8795a3" stroke-width="0.8">',
        ]
        for side in ("right", "left"):
            mirrored = (side == "left") == (view == "back")
            points = [(WIDTH - x if mirrored else x, y) for x, y in ARM_MASK]
            regions[f"mask-arm-{side}"] = ["M " + " L ".join(f"{x:g} {y:g}" for x, y in points) + " Z"]
        for region in sorted(regions):
            lines.append(f'    <path id="{region}" d="{" ".join(regions[region])}"/>')
        lines += ["  </g>", "</svg>", ""]
        (out_dir / f"{view}.svg").write_text("\n".join(lines))
        print(view, len(regions), "regions")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
