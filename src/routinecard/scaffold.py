"""Starting files for `routinecard new`: a routine and a patient file that always parse,
with comments that say what to change.

Every value taken from the user is written as a quoted YAML string, so a name like
"Lopez, Maria", "Knee: after surgery" or "#1 routine" cannot break the file. The routine
starter's medical box and sources are placeholders that `build` and `check` refuse
until they are replaced with real words from real sources: a starter never reaches a
patient without red flags. The patient starter lists the card's real point ids.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

ROUTINE = """\
{schema}# A new routine card. Every field is explained in the README ("The card file").
# Replace the example text with your routine; keep sentences short (grade 6-8).
# `build` and `check` refuse this file until the medical box and the sources below are
# replaced with the real warning signs and the sources they come from.
id: {id}
title: {title}
summary: "One or two sentences that say what this routine is for and who it helps."
language: en
# country: GB                # the country it is written for: emergency number and wording
before_you_start:
  - "Check with your doctor or physio before you start."
  - "Stop if the pain gets sharp, shooting or burning."
points:
{points}medical_attention:
  urgent:
    # {{emergency}} prints the clinic's emergency number; {{emergency_department}} prints
    # A&E, the ER or the emergency department, by the clinic's country.
    title: "Call {{emergency}} or go to {{emergency_department}} now if you have"
    items:
      - "TODO: replace with the emergency warning signs from your sources"
  soon:
    title: "Stop and contact your doctor or physio if"
    items:
      - "TODO: replace with the signs to stop and call, from your sources"
sources:
  - "TODO: replace with the guideline or source this routine follows"
"""

PATIENT = """\
{schema}# A patient file: the routine {card_quoted} adapted for one person, without copying it.
# Build it with: routinecard build {path}
card: {card}
patient: {name}
# clinician: "A. Patel, DPT"
# date: "2026-01-31"
# clinic: ../clinics/my-clinic.yaml                # relative to this file
{language}# only: [{ids}]      # keep only these points
# skip: [{first}]                                    # or leave these out
# set:                                              # change values by dotted path
#   points.{first}.timing.hold_s: [30, 45]
#   points.*.timing.per_day: 2                      # * is every point
#   points.{first}.side: left
# notes: "A note for the patient, printed in a box."
# medical_attention: {{soon: ["An extra warning sign for this patient"]}}
# log: true                                         # print the exercise log
"""


def quoted(text: str) -> str:
    """A YAML double-quoted string (JSON's quoting is valid YAML and escapes everything
    that could end the value early: quotes, backslashes, control characters)."""
    return json.dumps(text, ensure_ascii=False)


def slug(name: str, fallback: str = "routine") -> str:
    """'José Núñez' -> 'jose-nunez'; 'Neck stretches!' -> 'neck-stretches'."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = ascii_text.replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64].strip("-")
    return text or fallback


def schema_line(kind: str, target: Path) -> str:
    """The editor's `$schema` line, only when the schema is where the line says: the
    `schema/` folder beside the file's folder (a clone of the repository, or a copy)."""
    folder = target.resolve().parent
    for candidate in (folder.parent / "schema", folder / "schema"):
        if (candidate / f"{kind}.schema.json").is_file():
            relative = os.path.relpath(candidate / f"{kind}.schema.json", folder)
            return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"
    return ""


POINT = """\
  - id: {id}
    name: {name}
    site: {site}{pad}# from the atlas: marker, usual referral shading and close-up
    side: right              # right, left or both
    where: "Describe where to find {plain}, with landmarks a patient can feel."
    refers_to: "Where the pain from this point is usually felt."
    tool: tennis-ball        # tennis-ball, lacrosse-ball, golf-ball, foam-roller, frozen-bottle, fingers, thumb, wall
    position: "How to stand, sit or lie for this point."
    pressure: {{min: 3, max: 5, words: "Firm but comfortable. Never sharp or shooting."}}
    timing: {{hold_s: [15, 30], repeats: [2, 3], per_day: [1, 2]}}
    steps:
      - "Put the ball on the point."
      - "Lean in slowly and hold."
      - "Ease off and rest."
"""

DEFAULT_SITES = ("upper-trapezius",)


class UnknownSite(ValueError):
    """A site the atlas does not have (the message has a "did you mean")."""


def routine(name: str, target: Path | None = None, sites: list[str] | tuple[str, ...] = DEFAULT_SITES) -> str:
    """A routine with one point per atlas site: sites, never coordinates (`routinecard
    atlas` lists them)."""
    from routinecard.atlas import load_atlas

    atlas = load_atlas()
    points: list[str] = []
    for site_id in sites or DEFAULT_SITES:
        site = atlas.site(site_id)
        if site is None:
            hint = atlas.suggest(site_id)
            raise UnknownSite(f"unknown site {site_id!r}" + (f"; did you mean {hint!r}?" if hint else "")
                              + " (`routinecard atlas` lists every site)")
        points.append(POINT.format(id=site.id, name=quoted(site.name("en")), site=site.id, plain=site.plain["en"],
                                   pad=" " * max(1, 21 - len(site.id))))
    title = name.strip() or "My routine"
    title = title[:1].upper() + title[1:]
    schema = schema_line("card", target) if target is not None else ""
    return ROUTINE.format(schema=schema, id=slug(name), title=quoted(title), points="".join(points))


def patient(card: str, name: str, path: str, *, point_ids: list[str] | None = None, language: str | None = None,
            languages: list[str] | None = None, target: Path | None = None) -> str:
    ids = point_ids or ["first-point"]
    if language is not None:
        language_line = f"language: {language}\n"
    else:
        have = languages or ["en"]
        other = next((code for code in have[1:]), have[0])
        language_line = f"# language: {other:<40} # this routine's languages: {', '.join(have)}\n"
    schema = schema_line("patient", target) if target is not None else ""
    return PATIENT.format(
        schema=schema,
        card=quoted(card) if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", card) else card,
        card_quoted=quoted(card),
        name=quoted(name.strip() or "Patient name"),
        path=path,
        ids=", ".join(ids),
        first=ids[0],
        language=language_line,
    )


__all__ = ["DEFAULT_SITES", "UnknownSite", "patient", "quoted", "routine", "schema_line", "slug"]
