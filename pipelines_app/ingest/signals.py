"""What ingest tells the rest of the process once events are stored (committed).

`events_stored` is sent after every committed group with `events` = the stored `Event`s (refused
ones left out). Receivers (metrics, the response cache's data version, the alerting nudge) live in
their own modules and must be quick: they run on the request thread that wrote the group. They are
called with `send_robust`, so a failing receiver is logged and never fails an ingest.
"""

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)
events_stored = Signal()


def stored(events) -> None:
    if not events:
        return
    for receiver, result in events_stored.send_robust(sender=None, events=events):
        if isinstance(result, Exception):
            log.warning("ingest: receiver %s failed: %r", getattr(receiver, "__name__", receiver), result)
