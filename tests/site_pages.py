"""The pages of KAM's UI, read from the URL configuration, and a walk over them.

Shared by the permission walk (every route, with ids that exist somewhere) and the
production walk (every route reached the way a user reaches it: by following the links,
htmx requests and forms of the pages, so its ids are those of objects the user sees).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve


def _routes(patterns: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) for every pattern of the URL configuration."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name or ""


def ui_routes() -> list[str]:
    """Every route of the UI (outside the API, static and media files), as ``/a/<id:pk>/``."""
    routes = []
    for route, _name in _routes(get_resolver().url_patterns):
        path = "/" + route
        if path.startswith(("/api/", "/static/", "/media/")) or route.startswith("^"):
            continue
        routes.append(path)
    return sorted(set(routes))


def fill(route: str, ident: int) -> str:
    """Put ``ident`` in every <id:...> of a route, and a made-up token in the others."""
    path = re.sub(r"<(?:int|id):[^>]+>", str(ident), route)
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", path)
    return re.sub(r"<(?:str|slug|path):[^>]+>", "not-a-real-token", path)


def route_of(path: str) -> str | None:
    """The UI route a path belongs to (``/accounts/<id:pk>/``), None outside the UI."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    route = "/" + match.route
    return route if route in _ui_route_set() else None


_UI_ROUTES: set[str] = set()


def _ui_route_set() -> set[str]:
    if not _UI_ROUTES:
        _UI_ROUTES.update(ui_routes())
    return _UI_ROUTES


class _References(HTMLParser):
    """The URLs a page leads to (links, htmx requests, form targets) and the static
    files it loads (stylesheets, icons, the web manifest, scripts, images)."""

    STATIC_ATTRIBUTES = {("link", "href"), ("script", "src"), ("img", "src")}
    PAGE_ATTRIBUTES = {"href", "action", "hx-get", "hx-post", "data-click-url", "data-move-url"}

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[str] = []
        self.static: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if not value:
                continue
            if (tag, name) in self.STATIC_ATTRIBUTES:
                self.static.append(value)
            elif name in self.PAGE_ATTRIBUTES:
                self.pages.append(value)


@dataclass
class Walk:
    """What a walk saw: the status of every page it asked for, the static files named."""

    statuses: dict[str, int] = field(default_factory=dict)
    routes: dict[str, str] = field(default_factory=dict)  # route -> the path walked for it
    static: set[str] = field(default_factory=set)


# Never followed: signing out ends the walk's session.
NOT_WALKED = ("/logout/",)


def walk_pages(
    get: Callable[[str], tuple[int, str, str]], start: str = "/", *, per_route: int = 1
) -> Walk:
    """Follow every link, htmx request and form target from ``start``, breadth first.

    ``get(path)`` asks for a page and returns (status, content type, body). Each route
    is asked for at most ``per_route`` times (the first paths found for it), so a page
    listing a thousand accounts costs one account page, not a thousand.
    """
    walk = Walk()
    queue = [start]
    counts: dict[str, int] = {}
    while queue:
        path = queue.pop(0)
        route = route_of(path)
        if route is None or path in walk.statuses or path.startswith(NOT_WALKED):
            continue
        if counts.get(route, 0) >= per_route:
            continue
        counts[route] = counts.get(route, 0) + 1
        status, content_type, body = get(path)
        walk.statuses[path] = status
        walk.routes.setdefault(route, path)
        if status != 200 or "html" not in content_type:
            continue
        parser = _References()
        parser.feed(body)
        walk.static.update(s for s in parser.static if urlsplit(s).path.startswith("/static/"))
        for target in parser.pages:
            target = urldefrag(target).url
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # another site, mailto:, a fragment or a relative path
            queue.append(target)
    return walk
