"""Emergency wording by country: the number to call and the name of the emergency
department, filled into the card's `{emergency}` and `{emergency_department}`.

A US clinic must never print "A&E", and a card printed for no clinic must not print a
number that is wrong where it is read. The clinic decides (its `emergency_number`, else its
`country`), then the routine (its `medical_attention.emergency_number`, else its `country`);
with neither, the card says "your local emergency number" in its language. The card's
own texts never hard-code a number or "A&E": `safety.py` refuses that.
"""

from __future__ import annotations

from dataclasses import dataclass

from routinecard.locale import Locale
from routinecard.model import EMERGENCY, EMERGENCY_DEPARTMENT, Card, Clinic, Tier

# Emergency numbers (ambulance) of the countries we know. Sources: each country's
# official emergency services pages; 112 also works across the EU and on UK mobiles.
NUMBERS: dict[str, str] = {
    "GB": "999",
    "US": "911",
    "CA": "911",
    "IE": "112 or 999",
    "AU": "000",
    "NZ": "111",
    "ES": "112",
    "FR": "112",
    "DE": "112",
    "IT": "112",
    "PT": "112",
    "NL": "112",
    "MX": "911",
}

# What the emergency department is called where it differs from the language's own word
# (the locale's `emergency_department` label).
DEPARTMENTS: dict[tuple[str, str], str] = {
    ("GB", "en"): "A&E",
    ("US", "en"): "the ER",
}


@dataclass(frozen=True)
class Wording:
    """What `{emergency}` and `{emergency_department}` print on one card."""

    number: str
    department: str

    def fill(self, text: str) -> str:
        return text.replace(EMERGENCY_DEPARTMENT, self.department).replace(EMERGENCY, self.number)


def country_problem(country: str | None) -> str | None:
    """A country whose emergency number we do not know needs an explicit number."""
    if country is None or country.upper() in NUMBERS:
        return None
    return (f"no emergency number is known for country {country!r} (known: {', '.join(sorted(NUMBERS))}); "
            "also give emergency_number")


def wording(card: Card, clinic: Clinic | None, locale: Locale) -> Wording:
    """The clinic's number and country first, then the routine's, then neutral words."""
    number: str | None = None
    country: str | None = None
    if clinic is not None:
        number = clinic.emergency_number
        country = clinic.country
    if number is None and country is not None:
        number = NUMBERS.get(country.upper())
    if number is None:
        number = card.medical_attention.emergency_number
    if country is None:
        country = card.country
    if number is None and country is not None:
        number = NUMBERS.get(country.upper())
    language = locale.code
    department = DEPARTMENTS.get(((country or "").upper(), language)) or locale.label("emergency_department")
    return Wording(number or locale.label("emergency_number_unknown"), department)


def _tier(tier: Tier, words: Wording) -> Tier:
    return tier.model_copy(update={"title": words.fill(tier.title), "items": [words.fill(i) for i in tier.items]})


def fill_card(card: Card, words: Wording) -> Card:
    """The card with its medical-attention texts as printed."""
    attention = card.medical_attention
    filled = attention.model_copy(update={"urgent": _tier(attention.urgent, words), "soon": _tier(attention.soon, words)})
    return card.model_copy(update={"medical_attention": filled})


__all__ = ["NUMBERS", "DEPARTMENTS", "Wording", "country_problem", "fill_card", "wording"]
