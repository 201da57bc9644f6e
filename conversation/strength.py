"""Honest match strength: a capability's score mapped to the calibrated chance that it is right, and a label.

Calibration (dev split of tests/data/situations.jsonl, real tuned model and index): the top three cards of the
dev situations that were answered (178 with the current model, 534 cards), their capability `score` (a softmax
share) binned and each bin's share of cards whose capability is among the situation's labels, made monotone by
pooling adjacent bins (pool adjacent violators). The table gives the lower edge of each score bin and that probability;
`python -m conversation.calibrate` prints it again for the current model and index.
"""

from __future__ import annotations

# (score floor, share of dev cards with a score from that floor that were right), highest first
TABLE = (
    (0.9, 1.0), (0.8, 0.944), (0.6, 0.917), (0.3, 0.648), (0.2, 0.548), (0.1, 0.304), (0.05, 0.176), (0.0, 0.17),
)
BANDS = ((0.7, "Strong match"), (0.35, "Good match"))
WEAKEST = "Possible match"
MEANING = (
    "How likely this capability is to be right for what you describe, from how often matches this strong were "
    "right on labelled practice situations: **Strong match**, about 7 in 10 or more; **Good match**, about "
    "half or a little more; **Possible match**, about 1 in 3 or fewer. The label does not depend on the card's "
    "place in the list, so a first card can be a possible match."
)


def probability(score: float) -> float:
    """The calibrated chance that a capability with this score is right for the situation."""
    for floor, chance in TABLE:
        if score >= floor:
            return chance
    return TABLE[-1][1]


def band(score: float) -> str:
    """The plain label for a capability score: Strong, Good or Possible match."""
    chance = probability(score)
    for floor, label in BANDS:
        if chance >= floor:
            return label
    return WEAKEST
