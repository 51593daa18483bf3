"""Reading level of a card: Flesch-Kincaid grade of the text a patient reads.

Patient handouts should read at a 6th-8th grade level. This module measures the
patient-facing sentences of a card (summary, before-you-start, each point's where /
pain felt in / position / pressure words / steps, and the medical-attention titles and
items) with the Flesch-Kincaid grade level:

    FKGL = 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59

Titles, point names, tool ids, ids and sources are not measured: they are names and
references, not sentences a patient must follow.

Everything is computed here, offline, with no word list to download (recent `textstat`
releases fetch data at run time, which fails without a network). Syllables are counted
with spelling rules plus a small table of exceptions; the target is the first
pronunciation in the CMU Pronouncing Dictionary, e.g. "comfortable" = 4
(com-for-ta-ble), "every" = 3 (ev-er-y), "tingling" = 2 (ting-ling, a CMU variant).

Flesch-Kincaid is an English formula (its constants were fitted on English texts, and
the syllable rules are English ones). A Spanish card is measured on the INFLESZ scale
instead: the Szigriszt-Pazos perspicuity

    P = 206.835 - 62.3 * (syllables / words) - (words / sentences)

with the bands Barrio-Cantalejo et al. validated on texts for patients (An Sist Sanit
Navar 2008;31:135-52): under 40 very hard, 40-55 somewhat hard, 55-65 normal, 65-80
fairly easy, over 80 very easy. Material for patients should score 55 or more. Spanish
syllables follow the spelling rules of Spanish (a vowel group is one syllable unless two
strong vowels meet; an accented i or u is strong). A card in another language is not
measured: `Report.measured` is False and its grade is NaN. Its sentences are still
counted, since long sentences are hard in any language.

Why one long module: the grade's rules (sentences, words, syllables per language) are one
measure and are tested as one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from typing import Sequence

from routinecard.model import EMERGENCY, EMERGENCY_DEPARTMENT, Card

GRADE_LIMIT = 8.0
"""Highest acceptable grade for patient material (6th-8th grade)."""

EASE_LIMIT = 55.0
"""Lowest acceptable INFLESZ score for Spanish patient material ("normal" or easier)."""

INFLESZ_BANDS = ((80.0, "very easy"), (65.0, "fairly easy"), (55.0, "normal"), (40.0, "somewhat hard"),
                 (-math.inf, "very hard"))

WORD_LIMIT = 20
"""A sentence longer than this is flagged even when the card's grade is fine."""

EMERGENCY_FOR_READING = "911"
"""What `{emergency}` is read as: a short number, whatever the clinic prints."""


@dataclass(frozen=True)
class Sentence:
    """One measured sentence, with the field it comes from, e.g. "points[0].where"."""

    text: str
    field: str
    words: int
    grade: float  # Flesch-Kincaid (English), else NaN
    ease: float = math.nan  # INFLESZ (Spanish), else NaN


@dataclass(frozen=True)
class Report:
    """The reading level of a card.

    `grade` is the Flesch-Kincaid grade of all measured text together (NaN when the
    card is not in English, then `measured` is False). `longest` are the sentences with
    the most words, `hardest` those with the highest grade of their own, longest first.
    """

    grade: float
    words: int
    sentences: int
    longest: tuple[Sentence, ...]
    hardest: tuple[Sentence, ...]
    language: str
    measured: bool
    ease: float = math.nan  # INFLESZ of all measured text (a Spanish card), else NaN

    @property
    def spanish(self) -> bool:
        return is_spanish(self.language)

    @property
    def above_limit(self) -> bool:
        """True when the card reads harder than the limit, as printed (one decimal): an
        English grade above GRADE_LIMIT, a Spanish INFLESZ score below EASE_LIMIT."""
        if not self.measured:
            return False
        if self.spanish:
            return round(self.ease, 1) < EASE_LIMIT
        return round(self.grade, 1) > GRADE_LIMIT

    @property
    def long_sentences(self) -> tuple[Sentence, ...]:
        """The sentences among `longest` that have more than WORD_LIMIT words."""
        return tuple(s for s in self.longest if s.words > WORD_LIMIT)


# --------------------------------------------------------------------------- syllables

_VOWELS = "aeiouy"

# Words the spelling rules get wrong, with their CMU syllable count (first
# pronunciation unless noted). Includes the card's medical words.
_EXCEPTIONS: dict[str, int] = {
    # common words
    "anyone": 3,
    "area": 3,
    "behavior": 3,
    "behaviour": 3,
    "business": 2,
    "evening": 2,
    "everything": 3,
    "element": 3,
    "hereby": 2,
    "idea": 3,
    "moreover": 3,
    "naive": 2,
    "people": 2,
    "poem": 2,
    "science": 2,
    "someone": 2,
    "thereof": 2,
    "wednesday": 2,
    "wherever": 3,
    "whoever": 3,
    # medical words (CMU, or the dictionary pronunciation when CMU lacks them)
    "diabetes": 4,
    "gluteal": 3,
    "myofascial": 4,
    "physio": 3,
    "physiotherapist": 6,
    "physiotherapy": 6,
}

# Letters read one by one in abbreviations (NHS = en-aitch-ess).
_LETTER_SYLLABLES = {letter: (3 if letter == "w" else 1) for letter in "abcdefghijklmnopqrstuvwxyz"}

# Three-digit service numbers are said digit by digit ("nine one one").
_SERVICE_NUMBERS = frozenset({"000", "111", "112", "119", "911", "999"})

# Syllables of spoken numbers.
_ONES = [0, 1, 1, 1, 1, 1, 1, 2, 1, 1]  # zero(2) handled apart; one two three four five six se-ven eight nine
_TEENS = [1, 3, 1, 2, 2, 2, 2, 3, 2, 2]  # ten e-le-ven twelve thir-teen ... se-ven-teen eigh-teen nine-teen
_TENS = [0, 0, 2, 2, 2, 2, 2, 3, 2, 2]  # twen-ty thir-ty for-ty fif-ty six-ty se-ven-ty eigh-ty nine-ty


def _below_hundred(n: int) -> int:
    if n < 10:
        return _ONES[n]
    if n < 20:
        return _TEENS[n - 10]
    return _TENS[n // 10] + _ONES[n % 10]


def number_syllables(digits: str) -> int:
    """Syllables of a number as said aloud: "15" = 2 (fif-teen), "30" = 2, "100" = 3.

    Service numbers (911, 999, 112...) and numbers too long to be counts (phone numbers)
    are read digit by digit; zero is "ze-ro".
    """
    digits = digits.replace(",", "")
    if not digits.isdigit():
        return max(1, sum(number_syllables(part) for part in re.findall(r"\d+", digits)))
    if digits in _SERVICE_NUMBERS or len(digits) > 4 or (len(digits) > 1 and digits[0] == "0"):
        return sum(2 if d == "0" else _ONES[int(d)] for d in digits)
    n = int(digits)
    if n == 0:
        return 2
    count = 0
    if n >= 1000:
        count += _ONES[n // 1000] + 2  # "thou-sand"
        n %= 1000
    if n >= 100:
        count += _ONES[n // 100] + 2  # "hun-dred"
        n %= 100
    if n:
        count += _below_hundred(n)
    return count


def _vowel_groups(word: str) -> int:
    # A leading y before a vowel is a consonant ("you", "yellow").
    body = word[1:] if word.startswith("y") and len(word) > 1 and word[1] in "aeiou" else word
    return len(re.findall(r"[aeiouy]+", body))


_SUFFIXES_AFTER_SILENT_E = ("ment", "ments", "ful", "fully", "less", "ness", "ly")


@lru_cache(maxsize=4096)
def _word_syllables(word: str) -> int:
    """Syllables of one lowercase word made of letters a-z."""
    if not word:
        return 0
    if word in _EXCEPTIONS:
        return _EXCEPTIONS[word]
    # Plurals and third persons of exceptions: "hamstrings", "ideas".
    if word.endswith("s") and word[:-1] in _EXCEPTIONS:
        return _EXCEPTIONS[word[:-1]]
    # Contractions with n't: "isn't" = is + n't, "don't" = 1.
    if word.endswith("nt") and word[:-2] in _NT_STEMS:
        return _word_syllables(word[:-2]) + _NT_STEMS[word[:-2]]
    # Silent e before a suffix: "safely" = safe + ly, "movement" = move + ment.
    for suffix in _SUFFIXES_AFTER_SILENT_E:
        stem = word[: -len(suffix)]
        if (
            word.endswith(suffix)
            and len(stem) >= 3
            and stem.endswith("e")
            and stem[-2] not in _VOWELS
            and not _consonant_le(stem)  # "gentle" keeps its e
        ):
            return _word_syllables(stem) + _word_syllables(suffix)

    # Compounds whose first part ends in a silent e: "homework", "likewise", "therefore".
    for first in _COMPOUND_FIRSTS:
        rest = word[len(first) :]
        if word.startswith(first) and len(rest) >= 3 and rest[0] not in _VOWELS and re.search("[aeiouy]", rest):
            return _word_syllables(first) + _word_syllables(rest)

    count = _vowel_groups(word)
    last = word[-1]

    # Silent final e: "have", "bone", "spine"; but "-le" after a consonant is a syllable
    # ("simple", "muscle"), and "-ee", "-ie", "-oe" are a single vowel group anyway.
    if last == "e" and count > 1 and word[-2] not in _VOWELS:
        if not _consonant_le(word):
            count -= 1
    # -es: silent in "bones", "shapes"; a syllable after s, x, z, ch, sh, c, g
    # ("pulses", "boxes", "places", "pages") and after consonant + l ("muscles").
    elif word.endswith("es") and count > 1 and len(word) > 3 and word[-3] not in _VOWELS:
        sounded = word[-3] in "sxzcg" or word[-4:-2] in ("ch", "sh") or _consonant_le(word[:-1])
        if not sounded:
            count -= 1
    # -ed: silent unless after t or d ("pressed" 1, "rested" 2), and after consonant + l
    # ("tangled" 2).
    elif word.endswith("ed") and count > 1 and len(word) > 3 and word[-3] not in _VOWELS:
        sounded = word[-3] in "td" or _consonant_le(word[:-1])
        if not sounded:
            count -= 1

    # Vowel pairs said as two syllables.
    count += len(re.findall(r"(?<![cgstx])ia", word))  # "dial", "media"; not "special", "Asia"
    count += len(re.findall(r"(?<![cghnstx])(?<!ll)io", word))  # "radio"; not "-tion", "union", "million"
    count += len(re.findall(r"iu", word))  # "medium", "calcium"
    count += len(re.findall(r"(?<![gc])eo", word))  # "video", "hideous"; not "surgeon", "gorgeous"
    count += len(re.findall(r"(?<![qg])ua", word))  # "usual", "actual"; not "equal", "language"
    count += len(re.findall(r"(?<![qg])uo", word))  # "duo"; not "quote"
    count += len(re.findall(r"(?<![qg])ue(?=[^aeiousyd])", word))  # "fuel", "cruel"; not "guess", "continued"
    count += len(re.findall(r"eu[ms]$", word))  # "museum", "gluteus"
    count += len(re.findall(r"ii", word))  # "skiing"
    count += len(re.findall(r"(?<![gq])iet", word))  # "diet", "quiet", "anxiety"
    count += len(re.findall(r"(?<![cgqst])ien[ct]", word))  # "client", "audience"; not "patient"
    count += len(re.findall(r"[^aeiou]ie(?:r|st)$", word)) if count > 1 else 0  # "easier"
    count += len(re.findall(r"[aeiou]y(?:[aou]|er)", word))  # "layout", "beyond", "player"
    count += len(re.findall(r"[cst]iat", word))  # "associate", "initiate"
    count += len(re.findall(r"creat(?!ur)", word))  # "create", "creation"
    count += len(re.findall(r"(?<![aeo])ir(?:e|es|ed)$", word))  # "fire", "tired", "require"
    count -= len(re.findall(r"ically$", word))  # "basically" = ba-sic-ly
    count -= len(re.findall(r"ques?$", word))  # "unique", "techniques"
    if word.endswith("ea") and count > 1:  # "urea"; not "sea", "tea"
        count += 1
    if word.endswith(("ism", "isms", "thm", "thms")):  # "rheumatism", "rhythm"
        count += 1
    count += len(re.findall(r"^(?:coord|cooper|coex|reu)", word))  # "coordinate", "reuse"
    # -ing after a vowel is its own syllable: "being", "doing", "going", "saying".
    if word.endswith("ing") and len(word) > 4 and word[-4] in _VOWELS:
        count += 1
    return max(1, count)


# Stems of n't contractions and what n't adds: "isn't" = is + 1, "don't" = don't (1).
_NT_STEMS = {
    "are": 1, "could": 1, "did": 1, "does": 1, "has": 1, "had": 1, "have": 1, "is": 1,
    "must": 1, "need": 1, "should": 1, "was": 1, "were": 1, "would": 1,
    "do": 0, "wo": 0, "ca": 0, "ai": 0, "sha": 0,
}


def _consonant_le(word: str) -> bool:
    """Ends in consonant + "le" (not "lle"): "simple", "muscle", whose "le" is a syllable."""
    return len(word) > 2 and word.endswith("le") and word[-3] not in _VOWELS and word[-3] != "l"


# First parts of compounds that end in a silent e ("some" in "sometimes").
_COMPOUND_FIRSTS = (
    "base", "bone", "care", "frame", "guide", "home", "house", "life", "like", "more", "safe",
    "side", "some", "there", "time", "trade", "use", "where", "whole",
)


def _is_abbreviation(token: str) -> bool:
    """All-capital tokens read letter by letter: NHS, ER, GP, A&E (not NICE, which is a word)."""
    letters = re.sub(r"[^A-Za-z]", "", token)
    if len(letters) < 2 or not letters.isupper():
        return False
    # Short capitals, or capitals without a vowel, are spelled out. Longer ones with
    # vowels are usually said as words (NICE, NASA).
    return len(letters) <= 3 or not re.search(r"[AEIOU]", letters)


def syllables(token: str) -> int:
    """Syllables of a word as printed: letters, numbers, abbreviations, hyphenated words.

    "simple" = 2, "NHS" = 3 (letter by letter), "NG59" = 2 + 3, "15" = 2, "half-turned" = 2.
    A token with no letters or digits has none.
    """
    token = token.replace("\u2019", "'").strip("'\"")
    if not re.search(r"[A-Za-z0-9]", token):
        return 0
    total = 0
    for part in re.split(r"[-\u2010\u2011/]+", token):
        if not part:
            continue
        for chunk in re.findall(r"[A-Za-z&'.]+|\d+(?:[.,]\d+)*", part):
            if chunk[0].isdigit():
                total += number_syllables(chunk)
                continue
            if _is_abbreviation(chunk) or re.fullmatch(r"(?:[A-Za-z]\.){2,}", chunk):  # NHS, e.g.
                total += sum(_LETTER_SYLLABLES[c] for c in chunk.lower() if c.isalpha())
                continue
            word = re.sub(r"[^a-z]", "", chunk.lower())
            total += _word_syllables(word)
    return total


# --------------------------------------------------------------------------- text

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "approx.", "dr.", "mr.", "mrs.", "ms.", "st.", "vs.", "min.", "no.")

_DASHES = "\u2012\u2013\u2014\u2015"


def words_of(sentence: str) -> list[str]:
    """The words of a sentence: tokens with a letter or a digit. A range "15–30" is two
    words (fifteen to thirty); "half-turned" and "A&E" are one."""
    spaced = re.sub(rf"[{_DASHES}]", " ", sentence)
    spaced = re.sub(r"(?<=\d)-(?=\d)", " ", spaced)
    spaced = spaced.replace(" / ", " ")
    return [t for t in spaced.split() if re.search(r"[A-Za-z0-9\u00C0-\u024F]", t)]


def split_sentences(text: str) -> list[str]:
    """Sentences of one text: split after . ! ? (not inside "2.5" or after "e.g.") and at
    line breaks. Text without final punctuation is one sentence."""
    sentences: list[str] = []
    for line in text.split("\n"):
        start = 0
        for match in re.finditer(r"[.!?]+['\")\]\u201d\u2019]*(?=\s|$)", line):
            end = match.end()
            before = line[start:end].split()
            if before and match.group().startswith(".") and before[-1].lower() in _ABBREVIATIONS:
                # "e.g." ends a sentence only at the very end of the text.
                if end < len(line.rstrip()):
                    continue
            piece = line[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return [s for s in sentences if words_of(s)]


def flesch_kincaid(words: int, sentences: int, syllable_count: int) -> float:
    """FKGL = 0.39 * words/sentences + 11.8 * syllables/words - 15.59 (NaN for no words)."""
    if words == 0 or sentences == 0:
        return math.nan
    return 0.39 * (words / sentences) + 11.8 * (syllable_count / words) - 15.59


def grade_of(text: str) -> float:
    """Flesch-Kincaid grade of a piece of English text (NaN if it has no words)."""
    sentences = split_sentences(text)
    tokens = [w for s in sentences for w in words_of(s)]
    return flesch_kincaid(len(tokens), len(sentences), sum(syllables(w) for w in tokens))


# --------------------------------------------------------------------------- cards


def card_texts(card: Card) -> list[tuple[str, str]]:
    """The patient-facing texts of a card as (field, text) pairs, in reading order.

    Each list item is its own text, so it is at least one sentence of its own.
    `{emergency}` is read as a short number.
    """
    texts: list[tuple[str, str]] = [("summary", card.summary)]
    texts += [(f"before_you_start[{i}]", t) for i, t in enumerate(card.before_you_start)]
    for p, point in enumerate(card.points):
        base = f"points[{p}]"
        texts += [
            (f"{base}.where", point.where),
            (f"{base}.refers_to", point.refers_to),
            (f"{base}.position", point.position),
            (f"{base}.pressure.words", point.pressure.words),
        ]
        texts += [(f"{base}.steps[{i}]", t) for i, t in enumerate(point.steps)]
    for name in ("urgent", "soon"):
        tier = getattr(card.medical_attention, name)
        texts.append((f"medical_attention.{name}.title", tier.title))
        texts += [(f"medical_attention.{name}.items[{i}]", t) for i, t in enumerate(tier.items)]
    return [(field, text.replace(EMERGENCY_DEPARTMENT, "the ER").replace(EMERGENCY, EMERGENCY_FOR_READING)) for field, text in texts]


def is_english(language: str) -> bool:
    return language.lower() == "en" or language.lower().startswith("en-")


def is_spanish(language: str) -> bool:
    return language.lower() == "es" or language.lower().startswith("es-")


# --------------------------------------------------------------------------- Spanish

_ES_VOWELS = frozenset("aeiouáéíóúü")
_ES_STRONG = frozenset("aeoáéóíú")  # an accented i or u is strong: "dí-a", "ba-úl"
_ES_LETTERS = "a-zA-ZáéíóúüñÁÉÍÓÚÜÑ"

# Spoken numbers: "quin-ce" 2, "trein-ta" 2, "cien" 1.
_ES_UNITS = [2, 2, 1, 1, 2, 2, 1, 2, 2, 2]  # ce-ro u-no dos tres cua-tro cin-co seis sie-te o-cho nue-ve
_ES_TEENS = [1, 2, 2, 2, 3, 2, 3, 4, 4, 4]  # diez on-ce do-ce tre-ce ca-tor-ce quin-ce die-ci-séis ...
_ES_TWENTIES = [2, 3, 3, 3, 4, 4, 3, 4, 3, 4]  # vein-te vein-tiu-no vein-ti-dós ... vein-tio-cho
_ES_TENS = [0, 0, 0, 2, 3, 3, 3, 3, 3, 3]  # trein-ta cua-ren-ta cin-cuen-ta se-sen-ta ...


def spanish_number_syllables(digits: str) -> int:
    """Syllables of a number said in Spanish: "15" = 2, "30" = 2, "45" = 6 (cua-ren-ta y cin-co).
    Service numbers and long numbers are read digit by digit."""
    digits = digits.replace(",", "").replace(".", "")
    if not digits.isdigit():
        return 1
    if digits in _SERVICE_NUMBERS or len(digits) > 3 or (len(digits) > 1 and digits[0] == "0"):
        return sum(_ES_UNITS[int(d)] for d in digits)
    n = int(digits)
    count = 0
    if n >= 100:
        count += 1 if n == 100 else 3  # "cien", "cien-to", "dos-cien-tos" (about three)
        n %= 100
        if n == 0:
            return count
    if n < 10:
        return count + _ES_UNITS[n]
    if n < 20:
        return count + _ES_TEENS[n - 10]
    if n < 30:
        return count + _ES_TWENTIES[n - 20]
    return count + _ES_TENS[n // 10] + (1 + _ES_UNITS[n % 10] if n % 10 else 0)  # "y"


def spanish_syllables(token: str) -> int:
    """Syllables of a Spanish word as printed: "dolor" 2, "pierna" 2, "día" 2, "tobillo" 3,
    "hoy" 1, "15" 2. Vowel groups, split where two strong vowels meet."""
    total = 0
    for chunk in re.findall(rf"[{_ES_LETTERS}]+|\d+(?:[.,]\d+)*", token):
        if chunk[0].isdigit():
            total += spanish_number_syllables(chunk)
            continue
        word = chunk.lower()
        if word == "y":
            total += 1
            continue
        count = 0
        previous = ""
        for letter in word:
            if letter in _ES_VOWELS:
                if not previous or (previous in _ES_STRONG and letter in _ES_STRONG):
                    count += 1
                previous = letter
            else:
                previous = ""
        total += max(count, 1)
    return total


def inflesz(words: int, sentences: int, syllable_count: int) -> float:
    """Szigriszt-Pazos perspicuity, read on the INFLESZ scale (NaN for no words)."""
    if words == 0 or sentences == 0:
        return math.nan
    return 206.835 - 62.3 * (syllable_count / words) - (words / sentences)


def inflesz_band(score: float) -> str:
    return next(name for floor, name in INFLESZ_BANDS if score >= floor)


def assess(card: Card, *, top: int = 3, extra: Sequence[tuple[str, str]] = ()) -> Report:
    """Measure the reading level of a card's patient-facing text, and of `extra` texts
    printed with it (a clinician's `notes`, as ("notes", text)).

    Only English is graded (Flesch-Kincaid is an English formula); for other languages
    `measured` is False, `grade` is NaN, `hardest` is empty and `longest` still lists
    the longest sentences.
    """
    english = is_english(card.language)
    spanish = is_spanish(card.language)
    count_syllables = syllables if english else spanish_syllables if spanish else None
    measured: list[Sentence] = []
    total_words = total_syllables = 0
    for field, text in [*card_texts(card), *extra]:
        for sentence in split_sentences(text):
            tokens = words_of(sentence)
            count = sum(count_syllables(w) for w in tokens) if count_syllables else 0
            grade = flesch_kincaid(len(tokens), 1, count) if english else math.nan
            ease = inflesz(len(tokens), 1, count) if spanish else math.nan
            measured.append(Sentence(sentence, field, len(tokens), grade, ease))
            total_words += len(tokens)
            total_syllables += count
    grade = flesch_kincaid(total_words, len(measured), total_syllables) if english else math.nan
    ease = inflesz(total_words, len(measured), total_syllables) if spanish else math.nan
    order = range(len(measured))
    longest = sorted(order, key=lambda i: (-measured[i].words, i))[:top]
    if english:
        hardest = sorted(order, key=lambda i: (-measured[i].grade, -measured[i].words, i))[:top]
    elif spanish:
        hardest = sorted(order, key=lambda i: (measured[i].ease, -measured[i].words, i))[:top]
    else:
        hardest = []
    return Report(
        grade=grade,
        words=total_words,
        sentences=len(measured),
        longest=tuple(measured[i] for i in longest),
        hardest=tuple(measured[i] for i in hardest),
        language=card.language,
        measured=(english or spanish) and total_words > 0,
        ease=ease,
    )


def _sentence_line(sentence: Sentence) -> str:
    return f"  {sentence.field} ({sentence.words} words): {sentence.text}"


def report_lines(report: Report) -> list[str]:
    """Lines for `routinecard check`: the grade and, when it is above the limit or a
    sentence is too long, the sentences to shorten (longest first)."""
    limit = f"{GRADE_LIMIT:g}"
    if not report.measured:
        return [
            f"reading grade not measured: Flesch-Kincaid is an English formula, INFLESZ a Spanish "
            f"one, and this card is in {report.language!r}; have a native speaker check it reads plainly"
        ]
    if report.spanish:
        name = f"reading ease {report.ease:.1f} on the INFLESZ scale ({inflesz_band(report.ease)})"
        if report.above_limit:
            lines = [f"{name} is below {EASE_LIMIT:g}: shorten these sentences and use shorter words:"]
            return lines + [_sentence_line(s) for s in report.hardest]
        first = f"{name}, {EASE_LIMIT:g} or more reads as normal"
    elif report.above_limit:
        lines = [f"reading grade {report.grade:.1f} is above {limit}: shorten these sentences:"]
        return lines + [_sentence_line(s) for s in report.longest]
    else:
        first = f"reading grade {report.grade:.1f} (limit {limit})"
    long = report.long_sentences
    if not long:
        return [first]
    return [first, f"sentences over {WORD_LIMIT} words: shorten them:", *(_sentence_line(s) for s in long)]
