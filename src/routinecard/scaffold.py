"""Starting files for `routinecard new`: a routine and a patient file that validate and
build as they are, with comments that say what to change."""

from __future__ import annotations

import re

ROUTINE = """\
# yaml-language-server: $schema=../schema/card.schema.json
# A new routine card. Every field is explained in the README ("The card file").
# Replace the example text with your routine; keep sentences short (grade 6-8).
# Red flags and doses must follow the sources you list at the bottom.
id: {id}
title: {title}
summary: One or two sentences that say what this routine is for and who it helps.
language: en
before_you_start:
  - Check with your doctor or physio before you start.
  - Stop if the pain gets sharp, shooting or burning.
points:
  - id: first-point
    name: First point
    where: Describe where to find the point, with landmarks a patient can feel.
    refers_to: Where the pain from this point is usually felt.
    tool: tennis-ball        # tennis-ball, lacrosse-ball, golf-ball, foam-roller, frozen-bottle, fingers, thumb, wall
    position: How to stand, sit or lie for this point.
    pressure: {{min: 3, max: 5, words: "Firm but comfortable. Never sharp or shooting."}}
    timing: {{hold_s: [15, 30], repeats: [2, 3], per_day: [1, 2]}}
    steps:
      - Put the ball on the point.
      - Lean in slowly and hold.
      - Ease off and rest.
    side: right
    marker: {{view: posterior, x: 312, y: 432}}    # 540 x 960 body map, right side
    referral:
      areas: [{{x: 310, y: 470, rx: 30, ry: 40}}]
medical_attention:
  emergency_number: 999 or 911
  urgent:
    title: Call {{emergency}} or go to the emergency department now if you have
    items:
      - Replace with the emergency warning signs from your sources
  soon:
    title: Stop and contact your doctor or physio if
    items:
      - The pain is getting worse
sources:
  - Replace with the guideline or source this routine follows
"""

PATIENT = """\
# yaml-language-server: $schema=../schema/patient.schema.json
# A patient file: the card `{card}` adapted for one person, without copying it.
# Build it with: routinecard build {path}
card: {card}
patient: {{name: {name}}}
# clinician: A. Patel, DPT
# date: 2026-01-31
# clinic: ../clinics/my-clinic.yaml
# only: [first-point]                       # keep only these points
# skip: []                                  # or leave these out
# set:                                      # change values by dotted path
#   points.first-point.timing.hold_s: [30, 45]
#   points.first-point.side: left
# notes: A note for the patient, printed in a box.
# medical_attention: {{soon: [An extra warning sign for this patient]}}
# log: true                                 # print the exercise log
"""


def slug(name: str) -> str:
    """'Neck stretches!' -> 'neck-stretches'."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "routine"


def routine(name: str) -> str:
    title = name.strip() or "My routine"
    return ROUTINE.format(id=slug(name), title=title[:1].upper() + title[1:])


def patient(card: str, name: str, path: str) -> str:
    return PATIENT.format(card=card, name=name.strip() or "Patient name", path=path)
