"""The microburst: 50 people sign at the same instant, each on a new connection.

A crowd arriving together is what a viral share produces; the machine can serve all of
them within a fraction of a second, so none may be refused (issue: "people are refused
while the machine has room"). Five rounds, a second apart; every answer is timed from the
common start.
"""

from __future__ import annotations

import asyncio
import time

from bench import paced

PEOPLE = 50
ROUNDS = 5


async def _round(port: int, path: str, first: int) -> list[tuple[str, float]]:
    start = asyncio.get_running_loop().time()

    async def one(n: int) -> tuple[str, float]:
        body = f"name=Micro+{n}&email=micro-{n}%40micro.bench&country=FR"
        try:
            status = await asyncio.wait_for(
                paced._exchange(port, paced.build(port, "POST", path, body, n)), 10
            )
        except (OSError, TimeoutError, asyncio.IncompleteReadError, IndexError):
            status = "error"
        return status, 1000 * (asyncio.get_running_loop().time() - start)

    return await asyncio.gather(*(one(first + i) for i in range(PEOPLE)))


def microburst(run) -> None:
    ports = run.stack.ports
    answers: list[tuple[str, float]] = []
    for round_ in range(ROUNDS):
        port = ports[round_ % len(ports)]
        answers += asyncio.run(_round(port, run.path("sign"), 60_000 + round_ * PEOPLE))
        time.sleep(1)
    statuses: dict[str, int] = {}
    for status, _ms in answers:
        statuses[status] = statuses.get(status, 0) + 1
    slowest = max(ms for _status, ms in answers)
    run.out["microburst_50_refused"] = sum(n for s, n in statuses.items() if s != "303")
    run.out["microburst_50_statuses"] = statuses
    run.out["microburst_50_max_ms"] = round(slowest, 1)
    if run.out["microburst_50_refused"]:
        run.notes.append(f"microburst: answers other than 303: {statuses}")
