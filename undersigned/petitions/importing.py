"""A petition read from a Markdown file with a front matter (manage.py import_petition).

docs/examples/petition.md shows the format. Every problem raises FileProblem, whose
message names the field and says what to write, so that the command prints one line
instead of a traceback.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from undersigned.petitions.forms import CLOSING_TIME, MAX_TARGETS
from undersigned.petitions.models import Petition, Target
from undersigned.regions.lookups import scheme_choices

FIELDS = (
    "title", "goal", "language", "closes", "creator", "creator_name", "organisation", "targets",
    "representatives", "region_quorum",
)  # fmt: skip
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*$\r?\n?(.*)\Z", re.S | re.M)
EXAMPLE = "docs/examples/petition.md"


class FileProblem(Exception):
    """What is wrong with the file, in words for the person who wrote it."""


@dataclass
class PetitionFile:
    petition: Petition  # not saved, and without its creator: actions.import_petition sets it
    targets: list[dict[str, str]]
    creator_email: str


def read(path: Path, creator_email: str | None = None, now: datetime | None = None) -> PetitionFile:
    """The petition in the file at `path`, checked; `creator_email` overrides `creator:`.
    Every problem found is listed at once, so one run is enough to fix them all."""
    meta, text = _split(path)
    problems: list[str] = []

    def check(reader, *args, default=None):
        try:
            return reader(*args)
        except FileProblem as problem:
            problems.append(str(problem))
            return default

    for key in sorted(str(key) for key in meta if key not in FIELDS):
        guess = difflib.get_close_matches(key, FIELDS, n=1)
        problems.append(
            f"{key}: not a field of the front matter"
            + (f" (did you mean {guess[0]}?)." if guess else f": it takes {', '.join(FIELDS)}.")
        )
    petition = Petition(
        title=check(_words, meta, "title", default=""),
        text=text.strip(),
        goal=check(_goal, meta.get("goal", 1000), default=1000),
        language=check(_words, meta, "language", default="") or "en",
        closes_at=check(_closing, meta.get("closes"), now or timezone.now()),
        creator_name=check(_words, meta, "creator_name", default=""),
        organisation=check(_words, meta, "organisation", default=""),
        region_scheme=check(_scheme, meta.get("representatives"), default=""),
        region_quorum=check(_quorum, meta.get("region_quorum"), default=None),
    )
    if petition.region_quorum and not petition.region_scheme and "representatives" not in meta:
        problems.append(
            "region_quorum: say by which regions too (`representatives: SCHEME`, "
            "a region scheme's code)."
        )
    email = check(_email, creator_email or meta.get("creator"), default="")
    targets = check(_targets, meta.get("targets"), default=[])
    check(_validate, petition)
    check(_named, petition, email)
    if len(problems) == 1:
        raise FileProblem(problems[0])
    if problems:
        raise FileProblem(f"{path} has {len(problems)} problems:\n- " + "\n- ".join(problems))
    return PetitionFile(petition, targets, email)


def _split(path: Path) -> tuple[dict, str]:
    if not path.exists():
        raise FileProblem(f"{path}: there is no such file.")
    if path.is_dir():
        raise FileProblem(f"{path} is a folder: give the petition's Markdown file.")
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FileProblem(f"{path} is not UTF-8 text: save it as UTF-8 and try again.") from None
    except OSError as error:
        raise FileProblem(f"Cannot read {path}: {error.strerror}.") from None
    match = FRONT_MATTER.match(source)
    if not match:
        raise FileProblem(
            f"{path} has no front matter: start it with a block between two `---` lines "
            f"that gives the title, goal, organizer and decision makers, as in {EXAMPLE}."
        )
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise FileProblem(f"The front matter of {path} is not valid YAML: {error}") from None
    except ValueError as error:  # YAML reads 2027-02-30 as a date, and fails on it
        raise FileProblem(
            f"The front matter of {path} has an impossible date ({error}): "
            "write a real one, like 2027-06-30."
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FileProblem(
            f"The front matter of {path} must be `field: value` lines (title: …, goal: …), "
            f"as in {EXAMPLE}."
        )
    return meta, match.group(2)


def _words(meta: dict, key: str) -> str:
    value = meta.get(key)
    if isinstance(value, (list, dict)):
        raise FileProblem(f"{key}: give one line of text, not a list.")
    return " ".join(str(value).split()) if value is not None else ""


def _goal(raw) -> int:
    # People write 25,000 or 25 000; YAML reads those as text.
    digits = re.sub(r"[,_ \u00a0\u202f]", "", str(raw))
    if isinstance(raw, bool) or not digits.isdigit():
        raise FileProblem(f"goal: {raw!r} is not a whole number of signatures, like 25000.")
    return int(digits)


def _closing(raw, now: datetime) -> datetime | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = date.fromisoformat(raw.strip())
        except ValueError:
            raise FileProblem(f"closes: {raw!r} is not a date: write it like 2027-06-30.") from None
    if isinstance(raw, datetime):
        closes = raw if timezone.is_aware(raw) else timezone.make_aware(raw)
    elif isinstance(raw, date):
        closes = timezone.make_aware(datetime.combine(raw, CLOSING_TIME))
    else:
        raise FileProblem(f"closes: {raw!r} is not a date: write it like 2027-06-30.")
    if closes <= now:
        raise FileProblem(f"closes: {raw} has passed: choose a later date.")
    return closes


def _scheme(raw) -> str:
    """`representatives:` names the region scheme by which signers are counted and whose
    regions' representatives are asked (the regions app)."""
    if raw in (None, ""):
        return ""
    known = dict(scheme_choices())
    code = str(raw).strip()
    if code not in known:
        offered = ", ".join(sorted(known)) or "none yet: an operator imports them"
        raise FileProblem(
            f"representatives: {code!r} is not a region scheme of this site (it has: {offered})."
        )
    return code


def _quorum(raw) -> int | None:
    if raw in (None, ""):
        return None
    digits = re.sub(r"[,_ \u00a0\u202f]", "", str(raw))
    if isinstance(raw, bool) or not digits.isdigit() or int(digits) < 1:
        raise FileProblem(
            f"region_quorum: {raw!r} is not a number of signers of at least 1, like 500."
        )
    return int(digits)


def _email(raw) -> str:
    if not raw:
        raise FileProblem(
            "creator: give the organizer's e-mail address, with which they sign in "
            "(`creator: lena@example.org`, or --creator EMAIL)."
        )
    email = str(raw).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise FileProblem(f"creator: {raw!r} is not an e-mail address.") from None
    return email


def _targets(raw) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        raise FileProblem(
            "targets: list the decision makers the petition asks, one per line "
            f"(`- name: City Council` and `role: Riverside`, or `- Name, role`), as in {EXAMPLE}."
        )
    if len(raw) > MAX_TARGETS:
        raise FileProblem(f"targets: name up to {MAX_TARGETS} decision makers, not {len(raw)}.")
    targets = []
    for item in raw:
        if isinstance(item, dict) and item.get("name"):
            name, role = _words(item, "name"), _words(item, "role")
        elif isinstance(item, str) and item.strip():
            name, _comma, role = (" ".join(part.split()) for part in item.partition(","))
        else:
            raise FileProblem(f"targets: {item!r} has no name.")
        target = Target(name=name, role=role)
        try:
            target.clean_fields(exclude=["petition", "email", "position"])
        except ValidationError as error:
            raise FileProblem(f"targets: {name[:40]!r}: {_problems(error)}") from None
        targets.append({"name": name, "role": role})
    return targets


def _validate(petition: Petition) -> None:
    try:
        petition.full_clean(exclude=["creator", "slug", "text_html"])
    except ValidationError as error:
        raise FileProblem(_problems(error)) from None


def _named(petition: Petition, email: str) -> None:
    account = get_user_model().objects.filter(email=email).first() if email else None
    if not (petition.creator_name or petition.organisation or (account and account.name)):
        raise FileProblem(
            "creator_name: say who started the petition, as its page will show it "
            "(`creator_name: Lena Aramyan`, and `organisation:` if they act for one)."
        )


def _problems(error: ValidationError) -> str:
    # The petition's text is what follows the front matter, not a field in it.
    names = {"text": "the text below the front matter", "closes_at": "closes"}
    return "; ".join(
        f"{names.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )
