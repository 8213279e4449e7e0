"""Where a page's database time goes: render it in-process, EXPLAIN ANALYZE its SELECTs.

Used by the scale phase (through `python -m bench.seed explain PETITION`) to show which
query, if any, grows with the number of signatures.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from undersigned.petitions.models import Petition


def explain(petition: int) -> dict:
    client = Client(SERVER_NAME="127.0.0.1")
    timings = []
    page = Petition.objects.get(pk=petition).get_absolute_url()  # /petitions/<id> is a 301
    for path in (f"{page}?explain=1", f"/petitions/{petition}.json?explain=1"):
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            timings.append((round(plan["Execution Time"], 2), path.split("?")[0], sql[:200]))
    timings.sort(reverse=True)
    return {
        "sql_ms": round(sum(t[0] for t in timings), 2),
        "slowest": [f"{ms} ms {path}: {sql}" for ms, path, sql in timings[:3]],
    }
