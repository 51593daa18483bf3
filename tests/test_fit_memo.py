"""A remembered fit scale must be invisible: the same bytes as a fresh search, one pass."""

from __future__ import annotations

from pathlib import Path

from routinecard import api, fit
from routinecard.prepare import prepare

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "cards" / "sciatica-trigger-points.yaml"


def test_a_remembered_scale_gives_the_same_bytes_in_one_pass() -> None:
    fit.forget_scales()
    fresh = api.build_prepared(prepare(CARD))
    assert fresh.plan.passes > 1  # a real search happened
    again = api.build_prepared(prepare(CARD))
    assert again.plan.passes == 1
    assert again.plan.scale == fresh.plan.scale
    assert again.pdf == fresh.pdf


def _key(prepared: object) -> bytes:
    from routinecard.prepare import Prepared

    assert isinstance(prepared, Prepared)
    loaded = prepared.loaded
    return fit.fit_key(loaded.card, prepared.layout, loaded.assets, prepared.locale, prepared.extras)


def test_anything_that_changes_the_fit_changes_the_key() -> None:
    base = _key(prepare(CARD))
    assert _key(prepare(CARD)) == base
    others = [
        prepare(CARD, layout="a4"),
        prepare(CARD, only=["piriformis"]),
        prepare(CARD, language="es"),
        prepare(CARD, sets={"points.piriformis.timing.hold_s": [30, 45]}),
        prepare(ROOT / "patients" / "example-jane.yaml"),
    ]
    keys = [_key(p) for p in others]
    assert base not in keys and len(set(keys)) == len(keys)
