"""Sets of one-page cards: a routine too long for one page becomes the fewest whole cards.

A card is made of blocks in reading order: the summary, the overview (body map and the
pressure words all points share), "before you start", the clinician's notes, one block per point, and the exercise log.
Every card of a set also carries the title ("card 2 of 3"), the whole medical-attention
box and the sources; those are not blocks, they are on every card. Blocks are packed in
order, as many on a card as fit (greedy packing of an ordered list gives the fewest
cards); a block is never cut in two. A block that does not fit a card even alone is an
error, never a dropped point.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

BlockKind = str  # "summary", "overview", "before", "notes", "point", "log"
Block = tuple[BlockKind, int]  # (kind, index): the index is the point's, 0 for the others


@dataclass(frozen=True)
class Part:
    """What one card of a set holds: its blocks, and where it stands in the set."""

    number: int
    count: int
    blocks: tuple[Block, ...]

    def has(self, kind: BlockKind) -> bool:
        return any(k == kind for k, _ in self.blocks)

    @property
    def points(self) -> tuple[int, ...]:
        """Indexes of the card's points in the routine (their printed numbers are these + 1)."""
        return tuple(i for k, i in self.blocks if k == "point")


def whole(blocks: Sequence[Block]) -> Part:
    return Part(1, 1, tuple(blocks))


def card_blocks(points: int, *, notes: bool, log: bool) -> list[Block]:
    """Every block of a routine, in reading order."""
    blocks: list[Block] = [("summary", 0), ("overview", 0), ("before", 0)]
    if notes:
        blocks.append(("notes", 0))
    blocks += [("point", i) for i in range(points)]
    if log:
        blocks.append(("log", 0))
    return blocks


class BlockTooLarge(Exception):
    """One block does not fit a card of the set even alone (with title, medical box and
    sources): the caller reports it with the room it measured."""

    def __init__(self, block: Block) -> None:
        super().__init__(f"{block[0]} {block[1]} does not fit a card on its own")
        self.block = block


def pack(blocks: Sequence[Block], fits: Callable[[Part], bool]) -> list[Part]:
    """The fewest cards, each holding consecutive blocks, such that each card fits.

    `fits(part)` says whether a card with those blocks fits one page at the smallest type;
    it is called about once per block. Parts are numbered with their final count.
    """
    groups: list[list[Block]] = []
    current: list[Block] = []
    placeholder = max(len(blocks), 2)  # "card 1 of N": the same width as the final count
    for block in blocks:
        trial = current + [block]
        if fits(Part(len(groups) + 1, placeholder, tuple(trial))):
            current = trial
            continue
        if not current:
            raise BlockTooLarge(block)
        groups.append(current)
        current = [block]
        if not fits(Part(len(groups) + 1, placeholder, tuple(current))):
            raise BlockTooLarge(block)
    if current:
        groups.append(current)
    return [Part(i + 1, len(groups), tuple(group)) for i, group in enumerate(groups)]
