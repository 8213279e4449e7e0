"""`undersigned verify URL`: check a petition's public log without trusting the site.

Needs no database and no settings: only the standard library and `cryptography`.
Exit status: 0 verified, 1 a check failed, 2 the site could not be read.
"""

from __future__ import annotations

import argparse
import re
import sys
from urllib.parse import urlsplit

from undersigned.transparency import notes
from undersigned.transparency.verifier import FetchError, Log, Report, verify

PETITION_URL = re.compile(r"(https?://[^/?#]+(?:/[^?#]*?)?)/petitions/([0-9]+)(?:/log)?/?")


def parse_url(url: str, origin: str = "") -> Log:
    match = PETITION_URL.fullmatch(url.strip())
    if not match:
        raise ValueError(f"not a petition address such as https://example.org/petitions/12: {url}")
    site, petition_id = match[1], int(match[2])
    return Log(site, petition_id, origin or f"{urlsplit(site).netloc}/petitions/{petition_id}")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="undersigned", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("verify", help="check a petition's public log and its count")
    check.add_argument("url", help="the petition's address, e.g. https://example.org/petitions/12")
    check.add_argument("--receipt", metavar="ENTRY_ID:CODE", help="also check a signer's receipt")
    check.add_argument(
        "--key", action="append", default=[], metavar="VERIFIER_KEY",
        help="trust only this key (name+hash+base64), obtained elsewhere; repeat for rotations",
    )  # fmt: skip
    check.add_argument(
        "--since", metavar="FILE", help="a checkpoint saved earlier: is it still in the log?"
    )
    check.add_argument(
        "--save", metavar="FILE", help="save the latest checkpoint, to compare later"
    )
    check.add_argument("--origin", default="", help="the origin line expected (a mirror's site)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    try:
        log = parse_url(args.url, args.origin)
        pinned = [notes.parse_verifier_key(key) for key in args.key]
    except ValueError as error:
        print(f"undersigned verify: {error}", file=sys.stderr)
        return 2
    try:
        report = verify(log, pinned or log.keys(), args.receipt or "", args.since or "")
    except FetchError as error:
        print(f"Could not read the log: {error}", file=sys.stderr)
        return 2
    except (KeyError, TypeError, ValueError) as error:  # includes a malformed published key
        print(f"VERDICT: FAILED — the site served malformed data ({error!r}).")
        return 1
    print_report(log, report, pinned=bool(pinned))
    if args.save and report.latest_note and not report.problems:
        with open(args.save, "w", encoding="utf-8") as file:
            file.write(report.latest_note)
        print(f"Saved the latest checkpoint to {args.save}.")
    return 1 if report.problems else 0


def print_report(log: Log, report: Report, pinned: bool) -> None:
    print(f"Log of {log.origin}")
    if not pinned:
        print("  (trusting the keys the site publishes; pass --key to pin one you got elsewhere)")
    for line in report.passed:
        print(f"  ok    {line}")
    for line in report.problems:
        print(f"  FAIL  {line}")
    if report.problems:
        print(f"VERDICT: FAILED — {len(report.problems)} problem(s): do not trust this count.")
    elif report.latest is None:
        print("VERDICT: NOTHING TO VERIFY YET — no checkpoint has been published.")
    else:
        latest = report.latest
        print(f"Latest checkpoint: {latest.tree_size} entries, root {latest.root_hash.hex()}")
        print(
            f"VERDICT: OK — {latest.count} signatures counted at {latest.time:%Y-%m-%d %H:%M} UTC."
        )


if __name__ == "__main__":
    sys.exit(main())
