"""“Did you mean anahit@gmail.com?”: a likely typo in a big mail provider's domain.

A signer who types `@gmial.com` never gets the confirmation link, and nothing on screen
tells them why. The sign form asks once, before accepting (views.sign, forms.SignForm).

The distance and the matching are pymailcheck's, the Python port of mailcheck.js, with
two choices of ours:

1. Only whole domains are compared, with the big providers below. mailcheck's other
   guesses, by top-level and second-level domain, question ordinary addresses:
   `example.am` (an Armenian domain) became "exatple.at", `wp.pl` "wp.nl".
2. Domains people really use that sit a typo away from a big one (`mail.com` from
   `gmail.com`, `gmx.at` from `gmx.de`, `hotmail.de` from `hotmail.fr`) are known and
   never questioned, so a real address is not made to look wrong; nor is a country's
   own version of a big one (`yahoo.com.ar` is `yahoo.com.` and more).

It reads nothing but its arguments: no DNS, no database, no network. The sign POST
runs it, so the answer for a domain is kept (most signers share a few domains).
"""

from __future__ import annotations

from functools import lru_cache

import pymailcheck

# Typos of these are worth a question: they are where most signers' mail goes.
SUGGESTED = frozenset(
    """
    gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr hotmail.com hotmail.co.uk
    hotmail.fr hotmail.it outlook.com live.com icloud.com aol.com protonmail.com
    comcast.net mail.ru yandex.ru gmx.de gmx.net t-online.de orange.fr libero.it
    """.split()  # noqa: SIM905 (domains read best as words, not as 22 quoted lines)
)

# Never questioned: real domains near the ones above, and other common providers.
KNOWN = (
    SUGGESTED
    | pymailcheck.DOMAINS
    | frozenset(
        """
        mail.com email.com ymail.com rocketmail.com gmx.com gmx.at gmx.ch gmx.fr
        hotmail.de hotmail.es hotmail.nl hotmail.be hotmail.ca live.fr live.de
        live.co.uk live.nl live.ca outlook.fr outlook.de outlook.es msn.com
        yahoo.de yahoo.es yahoo.it yahoo.ca yahoo.in yahoo.co.jp yahoo.co.in yahoo.co.id
        mail.ua mail.bg mail.ee mail.kz mail.am mail.de inbox.ru list.ru bk.ru
        rambler.ru ya.ru yandex.com yandex.by yandex.kz yandex.ua ukr.net
        web.de freenet.de online.de wanadoo.fr free.fr laposte.net sfr.fr
        virgilio.it alice.it tiscali.it proton.me pm.me tutanota.com tuta.io
        fastmail.com zoho.com hey.com wp.pl o2.pl onet.pl interia.pl seznam.cz
        163.com 126.com qq.com naver.com daum.net
        """.split()  # noqa: SIM905
    )
)
NOTHING: frozenset[str] = frozenset()


def suggest_address(address: str) -> str:
    """The address the signer probably meant, or "" when it looks right.

    The part before "@" is kept as typed; only the domain is ever changed.
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return ""
    better = suggested_domain(domain.lower())
    return f"{local}@{better}" if better else ""


@lru_cache(maxsize=4096)
def suggested_domain(domain: str) -> str:
    if domain in KNOWN:  # the usual case, and a set lookup
        return ""
    # sift3 is at least half the difference in length: only these can be within 2 of it.
    near = [known for known in SUGGESTED if abs(len(known) - len(domain)) <= 4]
    # Empty second- and top-level lists turn off mailcheck's partial guesses (see above).
    found = pymailcheck.suggest(f"x@{domain}", near, NOTHING, NOTHING)
    if not found or domain.startswith(found["domain"] + "."):
        return ""
    return found["domain"]
