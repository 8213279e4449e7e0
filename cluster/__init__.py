"""`make cluster`: a PostgreSQL primary and replica, Redis, two web nodes, two workers and
nginx on this machine, and an end-to-end check through them (see __main__.py)."""
