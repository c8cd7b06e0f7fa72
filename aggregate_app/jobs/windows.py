"""Schedule windows: a job's idempotency key is the window its run falls in."""

from datetime import UTC, datetime, timedelta

SMOKE_WINDOW = timedelta(hours=6)
COST_WINDOW = timedelta(hours=1)


def window_start(moment: datetime, size: timedelta) -> datetime:
    """The start of the `size`-long window (aligned on the Unix epoch, UTC) holding `moment`."""
    seconds = int(size.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)
