"""Reading a petition's log from its site, for the verifier: no Django, no database.

The messages speak the user's language (LANGUAGE, LC_ALL, LC_MESSAGES or LANG) from the
site's own catalogues, read with the standard library's gettext.
"""

from __future__ import annotations

import gettext
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from undersigned.transparency import notes

PAGE = 1000  # entries the site serves at once, at most
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@lru_cache(maxsize=4)
def _catalog(environment: tuple[str, ...]) -> gettext.NullTranslations:
    """The site's catalogue for the language the environment names (gettext reads it)."""
    return gettext.translation("django", LOCALE_DIR, fallback=True)


def _translations() -> gettext.NullTranslations:
    return _catalog(tuple(os.environ.get(name, "") for name in LANGUAGE_VARIABLES))


def _(message: str) -> str:  # the name xgettext (makemessages) looks for
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


class FetchError(Exception):
    """The site could not be read: no verdict either way."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def fetch_json(url: str) -> dict:
    if not url.startswith(("https://", "http://")):
        raise FetchError(_("not a web address: %(url)s") % {"url": url})
    headers = {"Accept": "application/json", "User-Agent": "undersigned-verify"}
    request = Request(url, headers=headers)  # noqa: S310 (the scheme is checked above)
    try:
        with urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)
    except HTTPError as error:
        raise FetchError(f"{url}: HTTP {error.code}", error.code) from None
    except (URLError, TimeoutError, ValueError) as error:
        raise FetchError(f"{url}: {error}") from None


@dataclass
class Log:
    """One petition log on one site."""

    site: str  # e.g. https://petitions.example.org
    petition_id: int
    origin: str  # the origin line its checkpoints must carry
    fetch: Callable[[str], dict] = fetch_json

    def get(self, path: str) -> dict:
        return self.fetch(f"{self.site}/petitions/{self.petition_id}/log/{path}")

    def shown_count(self) -> int:
        """The count the petition's own page gives (its JSON twin)."""
        count = self.fetch(f"{self.site}/petitions/{self.petition_id}.json")["signature_count"]
        if type(count) is not int:
            raise ValueError(f"signature_count is not a whole number: {count!r}")
        return count

    def changes(self) -> dict:
        """The petition's public ledger of changes to its count (transparency/ledger.py)."""
        return self.fetch(f"{self.site}/petitions/{self.petition_id}/changes.json")

    def keys(self) -> list[notes.VerifierKey]:
        published = self.fetch(f"{self.site}/.well-known/undersigned-log-key")
        return [notes.parse_verifier_key(key["verifier_key"]) for key in published["keys"]]

    def checkpoints(self) -> list[dict]:
        found, path = [], "checkpoints"
        while path:
            page = self.get(path)
            found += page["checkpoints"]
            path = page["next"] and "checkpoints?" + page["next"].partition("?")[2]
        return found

    def entries(self, size: int) -> Iterator[dict]:
        """Entries 0 to size - 1, a page at a time; fewer if the site serves fewer."""
        start = 0
        while start < size:
            page = self.get(f"entries?start={start}&end={min(start + PAGE, size)}")["entries"]
            if not page:
                return  # verify() compares how many came with the checkpoint's size
            yield from page
            start += len(page)

    def entries_from(self, start: int) -> Iterator[dict]:
        """The entries numbered from `start` to the end of the log as it is now."""
        while True:
            page = self.get(f"entries?start={start}&end={start + PAGE}")
            yield from page["entries"]
            start += len(page["entries"])
            if not page["entries"] or start >= page["tree_size"]:
                return
