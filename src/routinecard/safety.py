"""Nothing unsafe prints: checks on what a card says, not on its form.

- Placeholder text ("Replace with the warning signs from your sources", "TODO", "lorem
  ipsum") in the medical-attention box or the sources is refused: a starter file must not
  reach a patient with no red flags on it.
- The medical-attention texts never hard-code an emergency number or the name of the
  emergency department: they write `{emergency}` and `{emergency_department}`, which print
  the clinic's (or the routine's country's) words, so a US clinic never prints "A&E".

Both run on the card's data, so they are listed with every other problem of the file.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from routinecard.loader import FieldPath
from routinecard.model import EMERGENCY, EMERGENCY_DEPARTMENT

PLACEHOLDER = re.compile(
    r"\b(replace (this|these|me|it|with)|todo|tbd|tbc|fixme|xxx+|lorem ipsum|placeholder|"
    r"to be (written|added|completed|confirmed))\b|^\W*$|^\s*(\.\.\.|…)",
    re.IGNORECASE,
)
HARD_NUMBER = re.compile(r"(?<![\d.,/-])(999|911|112|000)(?![\d.,/-])")
HARD_DEPARTMENT = re.compile(r"A&E|\bthe ER\b|\bER\b(?=[\s,.)/]|$)|emergency room", re.IGNORECASE)


def _texts(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, path + (index,))


def safety_problems(data: object) -> list[tuple[FieldPath, str]]:
    """(path, message) for placeholder text and hard-coded emergency words."""
    from routinecard.emergency import country_problem

    if not isinstance(data, dict):
        return []
    problems: list[tuple[FieldPath, str]] = []
    attention = data.get("medical_attention")
    medical = list(_texts(attention, ("medical_attention",))) if isinstance(attention, dict) else []
    sources = list(_texts(data.get("sources"), ("sources",)))
    for path, text in medical + sources:
        if path[-1] == "emergency_number":
            continue
        match = PLACEHOLDER.search(text)
        if match:
            problems.append((path, f"looks like placeholder text ({match.group(0).strip() or 'empty'!r}); "
                                   "write the real words from your sources: it is printed for patients"))
    for path, text in medical:
        if path[-1] == "emergency_number":
            continue
        bare = text.replace(EMERGENCY, "").replace(EMERGENCY_DEPARTMENT, "")
        number = HARD_NUMBER.search(bare)
        if number:
            problems.append((path, f"write {EMERGENCY} instead of the number {number.group(0)}: it prints the "
                                   "clinic's emergency number (or the one for the card's country)"))
        department = HARD_DEPARTMENT.search(bare)
        if department:
            problems.append((path, f"write {EMERGENCY_DEPARTMENT} instead of {department.group(0)!r}: it prints "
                                   "A&E, the ER or the emergency department, by the clinic's country"))
    country = data.get("country")
    if isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country) and not (
        isinstance(attention, dict) and attention.get("emergency_number")
    ):
        message = country_problem(country)
        if message:
            problems.append((("country",), message))
    return problems


__all__ = ["PLACEHOLDER", "safety_problems"]
