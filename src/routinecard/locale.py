"""Locale catalogs: the card's fixed words and number formats, per language.

Catalogs are YAML files shipped in the package (`routinecard/locales/<code>.yaml`),
loaded once per process. Every catalog has exactly the keys of the English one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from routinecard.errors import InputError, Problem
from routinecard.loader import load_yaml_file, require_mapping

LOCALE_DIR = Path(__file__).resolve().parent / "locales"


@dataclass(frozen=True)
class Locale:
    code: str
    name: str
    labels: dict[str, str]
    formats: dict[str, str]
    weekdays: tuple[str, ...]

    def label(self, key: str, **values: object) -> str:
        return self.labels[key].format(**values) if values else self.labels[key]

    # -- numbers and ranges -------------------------------------------------------------
    def number_range(self, low: int, high: int) -> str:
        """15, 30 -> '15–30'; 20, 20 -> '20'."""
        return str(low) if low == high else self.formats["range"].format(low=low, high=high)

    def out_of_ten(self, low: int, high: int) -> str:
        return self.formats["out_of_ten"].format(range=self.number_range(low, high))


def available() -> list[str]:
    return sorted(p.stem for p in LOCALE_DIR.glob("*.yaml"))


@cache
def load_locale(code: str) -> Locale:
    """The catalog for a language code ('es', or 'es-MX' falling back to 'es')."""
    base = code.split("-")[0].lower()
    path = LOCALE_DIR / f"{base}.yaml"
    if not path.is_file():
        raise InputError(Problem(f"no labels for language {code!r}; available: {', '.join(available())}"))
    doc = load_yaml_file(path)
    data = require_mapping(doc, "locale")
    try:
        return Locale(
            code=base,
            name=str(data["name"]),
            labels={k: str(v) for k, v in data["labels"].items()},
            formats={k: str(v) for k, v in data["formats"].items()},
            weekdays=tuple(str(d) for d in data["weekdays"]),
        )
    except (KeyError, AttributeError, TypeError) as error:
        raise InputError(doc.problem((), f"incomplete locale catalog: {error}")) from None
