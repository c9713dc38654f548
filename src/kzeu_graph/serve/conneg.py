"""HTTP content negotiation: parse an ``Accept`` header and pick the best offered media type.

RFC 9110 §12.5.1: each media range may carry a quality ``q`` between 0 and 1 (three
decimals at most); ``q=0`` means "not acceptable". A media type takes the quality of the
*most specific* range that matches it (``text/turtle`` before ``text/*`` before ``*/*``),
so ``text/*;q=0.5, text/turtle`` accepts Turtle at 1 and CSV at 0.5. Among the offered
types the highest quality wins; ties go to the server's order of preference. A missing or
empty header accepts anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MediaRange", "negotiate", "parse_accept"]

_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUALITY = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")
_MEDIA_RANGE = re.compile(rf"\s*({_TCHARS})\s*/\s*({_TCHARS})\s*")
_MAX_RANGES = 64  # a longer header is cut: nobody needs more, and it bounds the work


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: ``type/subtype`` (``*`` allowed) and its quality."""

    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """-1 if this range does not match ``media_type``; else 0 (*/*), 1 (type/*), 2 (exact)."""
        kind, _, sub = media_type.lower().partition("/")
        if self.type == "*":
            return 0 if self.subtype == "*" else -1
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def _split_elements(header: str) -> list[str]:
    """Split on commas that are not inside a quoted parameter value."""
    elements: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in header:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            elements.append("".join(current))
            current = []
            continue
        current.append(char)
    elements.append("".join(current))
    return elements


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed elements are skipped.

    ``None`` or a blank header gives ``[*/*;q=1]``. A bare ``*`` (sent by some old clients)
    is read as ``*/*``.
    """
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges: list[MediaRange] = []
    for element in _split_elements(header)[:_MAX_RANGES]:
        media, _, parameters = element.partition(";")
        if media.strip() == "*":
            media = "*/*"
        match = _MEDIA_RANGE.fullmatch(media)
        if match is None:
            continue
        kind, sub = match.group(1).lower(), match.group(2).lower()
        if kind == "*" and sub != "*":
            continue  # "*/json" is not a media range
        quality = 1.0
        valid = True
        for parameter in parameters.split(";") if parameters else []:
            name, sep, value = parameter.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                if not sep or not _QUALITY.fullmatch(value):
                    valid = False
                    break
                quality = float(value)
        if valid:
            ranges.append(MediaRange(kind, sub, quality))
    return ranges


def quality_of(media_type: str, ranges: Sequence[MediaRange]) -> float:
    """The quality the client gives ``media_type``: that of the most specific matching range."""
    best_specificity = -1
    quality = 0.0
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity > best_specificity or (
            specificity == best_specificity and specificity >= 0 and media_range.quality > quality
        ):
            best_specificity = specificity
            quality = media_range.quality
    return quality if best_specificity >= 0 else 0.0


def negotiate(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or ``None`` if it accepts none of them.

    ``offered`` is in the server's order of preference, which breaks ties.
    """
    ranges = parse_accept(header)
    best: str | None = None
    best_quality = 0.0
    for media_type in offered:
        quality = quality_of(media_type, ranges)
        if quality > best_quality:
            best, best_quality = media_type, quality
    return best
