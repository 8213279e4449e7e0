"""The goal ladder: when a petition passes its goal, the next rung becomes the goal."""

from __future__ import annotations

from collections.abc import Iterator


def ladder() -> Iterator[int]:
    """100, 250, 500, 1,000, 2,500, 5,000, 10,000, … without end."""
    scale = 100
    while True:
        yield from (scale, scale * 5 // 2, scale * 5)
        scale *= 10


def current_goal(count: int, organizer_goal: int) -> int:
    """The goal to show: the organizer's, or the first rung above the count once passed."""
    if count < organizer_goal:
        return organizer_goal
    for rung in ladder():
        if rung > count and rung > organizer_goal:
            return rung
    raise AssertionError("unreachable: the ladder is endless")
