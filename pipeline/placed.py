"""Where triage places a post: into a stored event (its id) or into an event this batch makes
(a ``NewEvent``, whose id comes from the insert). Shared by clustering, which places posts, and
the batch writer, which stores them."""

from __future__ import annotations


class NewEvent:
    """Placeholder for an event created in this batch (its id comes from the insert)."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.id: int | None = None


Placed = int | NewEvent
