"""`undersigned verify URL`: check a petition's public log without trusting the site.

Needs no database and no settings: only the standard library and `cryptography`.
Exit status: 0 verified, 1 a check failed, 2 the site could not be read. It speaks the
language LANGUAGE or LANG names, when the site has it.
"""

from __future__ import annotations

import argparse
import re
import sys
from urllib.parse import urlsplit

from undersigned.transparency import notes
from undersigned.transparency.site import FetchError, Log, _, ngettext
from undersigned.transparency.verifier import Report, verify

# The bare id or the readable address (/petitions/12-keep-the-library-open), or its log.
PETITION_URL = re.compile(
    r"(https?://[^/?#]+(?:/[^?#]*?)?)/petitions/([0-9]+)(?:-[^/?#]*)?(?:/log)?/?"
)


def parse_url(url: str, origin: str = "") -> Log:
    match = PETITION_URL.fullmatch(url.strip())
    if not match:
        raise ValueError(
            _("not a petition address such as https://example.org/petitions/12: %(url)s")
            % {"url": url}
        )
    site, petition_id = match[1], int(match[2])
    return Log(site, petition_id, origin or f"{urlsplit(site).netloc}/petitions/{petition_id}")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="undersigned",
        description=_("Check a petition's public log without trusting the site."),
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "verify", help=_("check a petition's public log and the count its page shows")
    )
    check.add_argument(
        "url", help=_("the petition's address, e.g. https://example.org/petitions/12")
    )
    check.add_argument("--receipt", metavar="ENTRY:CODE", help=_("also check a signer's receipt"))
    check.add_argument(
        "--key", action="append", default=[], metavar="VERIFIER_KEY",
        help=_("trust only this key (name+hash+base64), obtained elsewhere; repeat for rotations"),
    )  # fmt: skip
    check.add_argument(
        "--since", metavar="FILE", help=_("a checkpoint saved earlier: is it still in the log?")
    )
    check.add_argument(
        "--save", metavar="FILE", help=_("save the latest checkpoint, to compare later")
    )
    check.add_argument("--origin", default="", help=_("the origin line expected (a mirror's site)"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        log = parse_url(args.url, args.origin)
        pinned = [notes.parse_verifier_key(key) for key in args.key]
    except ValueError as error:
        print(_("undersigned verify: %(error)s") % {"error": error}, file=sys.stderr)
        return 2
    try:
        report = verify(log, pinned or log.keys(), args.receipt or "", args.since or "")
    except FetchError as error:
        print(_("Could not read the log: %(error)s") % {"error": error}, file=sys.stderr)
        return 2
    except (KeyError, TypeError, ValueError) as error:  # includes a malformed published key
        print(_("VERDICT: FAILED — the site served malformed data (%(error)r).") % {"error": error})
        return 1
    print_report(log, report, pinned=bool(pinned))
    if args.save and report.latest_note and not report.problems:
        with open(args.save, "w", encoding="utf-8") as file:
            file.write(report.latest_note)
        print(_("Saved the latest checkpoint to %(file)s.") % {"file": args.save})
    return 1 if report.problems else 0


def print_report(log: Log, report: Report, pinned: bool) -> None:
    print(_("Log of %(origin)s") % {"origin": log.origin})
    if not pinned:
        print(
            _("  (trusting the keys the site publishes; pass --key to pin one you got elsewhere)")
        )
    for line in report.passed:
        print(_("  ok    %(check)s") % {"check": line})
    for line in report.problems:
        print(_("  FAIL  %(check)s") % {"check": line})
    print_ledger(report)
    if report.problems:
        n = len(report.problems)
        print(
            ngettext(
                "VERDICT: FAILED — %(n)s problem: do not trust this count.",
                "VERDICT: FAILED — %(n)s problems: do not trust this count.",
                n,
            )
            % {"n": n}
        )
    elif report.latest is None:
        print(_("VERDICT: NOTHING TO VERIFY YET — no checkpoint has been published."))
    else:
        latest = report.latest
        print(
            ngettext(
                "Latest checkpoint: %(size)s entry, root %(root)s",
                "Latest checkpoint: %(size)s entries, root %(root)s",
                latest.tree_size,
            )
            % {"size": latest.tree_size, "root": latest.root_hash.hex()}
        )
        when = f"{latest.time:%Y-%m-%d %H:%M}"
        print(
            ngettext(
                "VERDICT: OK — %(count)s signature counted at %(when)s UTC.",
                "VERDICT: OK — %(count)s signatures counted at %(when)s UTC.",
                latest.count,
            )
            % {"count": latest.count, "when": when}
        )


def print_ledger(report: Report) -> None:
    """The ledger beside the count: "Changes to the count: 2 (−37, +12)"."""
    if report.ledger is None:
        return
    lines, removed, added = report.ledger["online"]
    if not lines:
        print(_("Changes to the count: none besides people’s own confirmations and withdrawals"))
    else:
        print(
            _("Changes to the count: %(lines)s (−%(removed)s, +%(added)s)")
            % {"lines": lines, "removed": removed, "added": added}
        )
    lines, removed, added = report.ledger["paper"]
    if lines:
        print(
            _("Changes to the paper signatures: %(lines)s (−%(removed)s, +%(added)s)")
            % {"lines": lines, "removed": removed, "added": added}
        )


if __name__ == "__main__":
    sys.exit(main())
