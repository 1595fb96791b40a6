"""The words a reader sees in a rendered report."""

from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    """The words a reader sees, without the source list (titles of papers are theirs)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def seen(html: str) -> str:
    cut = html.find('id="sources-h"')
    reader = _Text()
    reader.feed(html[:cut] if cut > 0 else html)
    return " ".join(" ".join(reader.parts).split())
