from django.db import models


class ClockTick(models.Model):
    """When a periodic job last started. Claimed with a conditional UPDATE, so with
    several workers each periodic job still starts once per interval."""

    name = models.CharField(max_length=64, primary_key=True)
    last_run_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name
