"""Pictures for the ops pages, drawn on the server as inline SVG: each module is a pure function
from the data a page already holds to a Picture (escaped markup with <title>, <desc> and an
aria-label, and the same text alternative for a caption)."""

from .svg import Picture

__all__ = ["Picture"]
