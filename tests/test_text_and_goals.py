"""Petition text is Markdown made safe; goals climb a ladder once passed."""

from __future__ import annotations

import pytest

from undersigned.lib.markdown import render
from undersigned.petitions.goals import current_goal


def test_markdown_keeps_formatting_and_typographic_punctuation():
    html = render('We **urge** your "high offices" -- now.\n\n- one\n- two')
    assert "<strong>urge</strong>" in html and "<li>one</li>" in html
    assert "“high offices”" in html and "–" in html


def test_it_strips_scripts_and_inline_handlers():
    html = render(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))"
    )
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "<a " not in render(
        '<a href="https://x.org" onclick="steal()">x</a>'
    )  # raw HTML is text


def test_links_get_nofollow_ugc_noopener():
    html = render("[the council](https://council.example.org)")
    assert 'rel="nofollow ugc noopener"' in html and 'href="https://council.example.org"' in html


def test_headings_start_below_the_page_title():
    assert "<h1>" not in render("# Big heading") and "<h2>Big heading</h2>" in render(
        "# Big heading"
    )


@pytest.mark.parametrize(
    ("count", "goal", "expected"),
    [
        (0, 25_000, 25_000),
        (24_999, 25_000, 25_000),
        (25_000, 25_000, 50_000),
        (99, 100, 100),
        (100, 100, 250),
        (260, 100, 500),
        (999_999, 100, 1_000_000),
        (1_000_000, 100, 2_500_000),
        (3, 10, 10),
        (12, 10, 100),
    ],
)
def test_the_goal_moves_to_the_next_rung_once_passed(count, goal, expected):
    assert current_goal(count, goal) == expected
