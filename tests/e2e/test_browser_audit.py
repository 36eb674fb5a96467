"""The browser audit: every page of every demo role, on a phone and a desktop, in both
languages, looked at by a real Chromium.

Each of the five demo roles is one test (so ``-n 2`` walks two roles at once), on a
demo tenant built for it; the role signs in once per language (one browser context
each) and walks its pages: the navigation first, then every page
linked from a visited page, one page per route of the URL configuration (the first
link found to it, so with ids the role may see). Downloads, exports and htmx partials
are left out; a partial is checked inside the page that loads it. Every page is loaded
once, at 1440 px wide, and looked at at 1440 and at 390 px, and must show no:

- horizontal scrolling of the page (``scrollWidth > innerWidth``), with the elements that
  stick out named;
- console error, failed request or 4xx/5xx answer, the page's own or any request it makes;
- visible ``DOMAIN`` reference or raw value (a snake_case key, ``None``, a bare ``all``);
- Han characters on an English page, outside customer data: anything a user typed or
  the demo made up (names, notes) sits in an element marked ``data-user-content`` or
  ``.kam-data``, and a choice of records (an ``<option>`` whose value is an id) is data;
- English left on a Chinese page: a text that is a msgid the Chinese catalogue
  translates.

Every offence is listed at the end, and a JPEG of every page, width and language is saved
under ``test-artifacts/screens/<lang>/<width>/<role>/`` for a reviewer; each role writes
its offences and its wall time to ``offences-<role>.txt`` and ``timing-<role>.txt``.

It shares one signed-in context per role and language, loads each page once per
language and builds the demo tenant once per test process (each further role gets a copy
of it), and still takes minutes: some 50 pages a role, two loads each. So it runs on
SQLite only; what it checks is what the browser shows, which does not depend on the
database (the other tests walk the pages on PostgreSQL).
"""

from __future__ import annotations

import bisect
import os
import re
import sqlite3
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.urls import Resolver404, resolve

from kam.core import demo
from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 11, 26)
# Every demo role by default and in CI; KAM_AUDIT_ROLES=rep walks only the rep's pages.
# The longest walks first, so that two processes finish at about the same time.
ROLES = tuple(os.environ.get("KAM_AUDIT_ROLES", "admin,manager,director,finance,rep").split(","))
LANGUAGES = ("zh-hans", "en")
WIDTHS = (1440, 390)
HEIGHT = {390: 844, 1440: 900}
SCREENS = ARTIFACTS / "screens"
# A walk that runs away (a link per row of a list of thousands) stops here.
MAX_PAGES_PER_ROLE = 120

# Routes that are not pages: files, feeds and fragments for htmx, by their URL name.
NOT_A_PAGE = re.compile(
    r"(export|download|csv|xlsx|ics|feed|panel|partial|badge|chart|data|json|pdf|print|"
    r"template|logout|switch_language|_row|_form$|_count)"
)

# Offences known and owned elsewhere, each with its reason: a pattern searched in the
# offence ("<role>/<lang>/<width> <url>: <what>"). Keep it short: every entry is a
# defect someone still has to fix, and it names the page, never a whole kind of offence.
ALLOWED: list[tuple[str, str]] = [
    (
        r"^admin/en/\d+ /notifications/settings/bots/\S+: Chinese on an English page: "
        r"'DingTalk “加签” secret",
        "the help text quotes the name DingTalk's Chinese screens give the signing secret",
    ),
]

HAN = re.compile(r"[\u3400-\u9fff]")
HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
RAW_WORD = re.compile(r"^(?:None|all|null|undefined|nan|NaN)$")

# Collects what the page shows: its overflow, its visible texts outside customer data
# (with whether they are inside data), and the values of its visible text boxes.
INSPECT = """
(languages) => {
  const doc = document.documentElement;
  const width = window.innerWidth;
  const wide = [];
  if (doc.scrollWidth > width) {
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1) continue;
      // What scrolls or is clipped inside its own box does not widen the page.
      let boxed = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') { boxed = true; break; }
      }
      if (boxed) continue;
      // Name the outermost offender only: its children stick out because it does.
      if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1
          && el.parentElement !== document.body) continue;
      let name = el.tagName.toLowerCase();
      if (el.id) name += '#' + el.id;
      if (el.dataset.testid) name += '[data-testid=' + el.dataset.testid + ']';
      else if (el.className && typeof el.className === 'string')
        name += '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.');
      wide.push(name + ' ' + Math.round(box.right) + 'px');
      if (wide.length >= 5) break;
    }
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  // Data, a choice of records (an option whose value is an id), or a text in another
  // language on purpose: each language's name in itself, marked with lang or offered as
  // a choice of language.
  const isData = (el) => !!el.closest('[data-user-content], .kam-data')
      || !!el.closest('option[value]') && /^\\d+$/.test(el.closest('option').value)
      || !!el.closest('[lang]') && el.closest('[lang]') !== doc
      || !!el.closest('option') && languages.includes(el.closest('option').value);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, template')) continue;
    if (!el.closest('option') && !el.checkVisibility({visibilityProperty: true})) continue;
    texts.push([text, isData(el)]);
  }
  const values = [];
  const boxes = 'input:not([type]), input[type=text], input[type=search], input[type=number], '
      + 'input[type=date], input[type=email], input[type=tel], textarea';
  for (const input of document.querySelectorAll(boxes)) {
    if (input.closest('[data-user-content], .kam-data')) continue;
    if (input.value && input.checkVisibility()) values.push(input.value);
  }
  return {scrollWidth: doc.scrollWidth, width: width, wide: wide, texts: texts,
          values: values, title: document.title};
}
"""

# Waits for the layout after a resize: two animation frames.
SETTLE = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"

# Counts htmx requests in flight, so a page is inspected after its lazy panels arrived.
HTMX_WATCH = """
window.__kamPending = 0;
document.addEventListener('htmx:beforeRequest', () => { window.__kamPending += 1; });
document.addEventListener('htmx:afterSettle', () => { window.__kamPending -= 1; });
document.addEventListener('htmx:afterRequest', (e) => {
  if (!e.detail.successful) window.__kamPending -= 1;
});
"""


def _translated_msgids() -> set[str]:
    """The English texts the Chinese catalogues translate: none may show on a Chinese page."""
    root = Path(__file__).resolve().parents[2] / "kam"
    msgids: set[str] = set()
    for po_path in root.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po_path)):
            text = entry.msgid
            if entry.obsolete or not entry.msgstr or entry.msgstr == text:
                continue
            if "%" in text or "{" in text or not re.search(r"[A-Za-z]{3}", text):
                continue
            msgids.add(text)
    return msgids


# Texts KAM writes itself, in a language, even though they are stored: they are no
# customer data, and Chinese in them on an English page is an offence.
SYSTEM_TEXT_APPS = ("kam.notifications", "kam.jobs")


class CustomerData:
    """The Han texts of the tenant's own records: names, notes, seeded stage names.

    Templates mark where such data is shown (``data-user-content``, ``.kam-data``); this
    is the net under that convention for the places not marked yet: a text on an English
    page whose every run of Han characters occurs in the stored records (or, cut short
    with an ellipsis, begins one) is data, not a label left untranslated.
    """

    def __init__(self) -> None:
        runs: set[str] = set()
        for model in apps.get_models():
            if not model.__module__.startswith("kam.") or model.__module__.startswith(
                SYSTEM_TEXT_APPS
            ):
                continue
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField) and not f.choices
            ]
            if not fields:
                continue
            for row in model.objects.values_list(*fields):
                for value in row:
                    if value and HAN.search(value):
                        runs.update(HAN_RUN.findall(value))
        self.runs = runs
        self.sorted_runs = sorted(runs)

    def _begins_a_run(self, prefix: str) -> bool:
        index = bisect.bisect_left(self.sorted_runs, prefix)
        return index < len(self.sorted_runs) and self.sorted_runs[index].startswith(prefix)

    def covers(self, text: str) -> bool:
        found = HAN_RUN.findall(text)
        for position, run in enumerate(found):
            if run in self.runs:
                continue
            cut = position == len(found) - 1 and text.rstrip().endswith(("…", "..."))
            if cut and self._begins_a_run(run):
                continue
            return False
        return True


def _route_of(path: str) -> str | None:
    """The URL name of an HTML page of the UI, or None for anything else."""
    if path.startswith(("/api/", "/static/", "/media/", "/login/", "/language/")):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    if NOT_A_PAGE.search(name.split(":")[-1]):
        return None
    return name


def _screen_path(lang: str, width: int, role: str, url: str) -> Path:
    parts = urlsplit(url)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", parts.path).strip("-") or "home"
    if parts.query:
        slug += "--" + re.sub(r"[^A-Za-z0-9]+", "-", parts.query).strip("-")
    return SCREENS / lang / str(width) / role / f"{slug[:120]}.jpg"


class Audit:
    """One role in one language: the pages it can reach and what is wrong with them."""

    def __init__(self, browser, base_url: str, role: str, lang: str) -> None:  # type: ignore[no-untyped-def]
        self.base_url = base_url
        self.role = role
        self.lang = lang
        self.offences: list[str] = []
        self.where = ""
        self.context = browser.new_context(
            locale="zh-CN" if lang == "zh-hans" else "en-GB",
            viewport={"width": 1440, "height": HEIGHT[1440]},
        )
        self.context.add_init_script(HTMX_WATCH)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _offence(self, text: str) -> None:
        self.offences.append(f"{self.where}: {text}")

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error":
            self._offence(f"console error: {message.text}")

    def _failed(self, request) -> None:  # type: ignore[no-untyped-def]
        # A navigation that the next goto interrupts is not a failure of the page.
        if request.failure and "ERR_ABORTED" in request.failure:
            return
        self._offence(f"request failed: {request.url} {request.failure}")

    def _response(self, response) -> None:  # type: ignore[no-untyped-def]
        if response.status >= 400:
            self._offence(f"{response.status} from {response.url}")

    def sign_in(self) -> None:
        page = self.page
        self.where = f"{self.role}/{self.lang}/sign-in"
        page.goto(f"{self.base_url}/login/")
        page.fill("#id_username", self.role)
        page.fill("#id_password", demo.DEMO_PASSWORD)
        page.click("button[type=submit].btn-primary")
        page.wait_for_selector("[data-testid=main-nav]", state="attached")
        page.click(f"button[data-language={self.lang}]")
        page.wait_for_selector(f"html[lang={self.lang}]")

    def load(self, url: str) -> None:
        page = self.page
        response = page.goto(f"{self.base_url}{url}")
        if response is None:
            self._offence("no answer")
            return
        page.wait_for_function("() => window.__kamPending <= 0", timeout=15_000)

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
        )
        found = []
        for href in hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found

    def visit(self, url: str, msgids: set[str], data: CustomerData) -> None:
        """Load the page once, wide, and look at it at every width: a narrower window lays
        the page out again as a phone's does (charts redraw on resize), so a second load
        would only cost time."""
        page = self.page
        self.where = f"{self.role}/{self.lang}/{WIDTHS[0]} {url}"
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT[WIDTHS[0]]})
        started = time.monotonic()
        self.load(url)
        loaded = time.monotonic()
        for width in WIDTHS:
            self.where = f"{self.role}/{self.lang}/{width} {url}"
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": HEIGHT[width]})
                page.evaluate(SETTLE)
            self.inspect(url, width, msgids, data)
        TIMES.append((loaded - started, time.monotonic() - loaded))

    def walk(self, pages: list[str], msgids: set[str], data: CustomerData) -> list[str]:
        """Every page at every width. Without pages, the walk finds them: the home page,
        then one page per route linked from a page visited, breadth first."""
        if pages:
            for url in pages:
                self.visit(url, msgids, data)
            return pages
        queue = ["/"]
        seen_routes: set[str] = {"home"}
        while queue and len(pages) < MAX_PAGES_PER_ROLE:
            url = queue.pop(0)
            pages.append(url)
            self.visit(url, msgids, data)
            for link in self.links():
                route = _route_of(urlsplit(link).path)
                if route is None or route in seen_routes:
                    continue
                seen_routes.add(route)
                queue.append(link)
        return pages

    def inspect(self, url: str, width: int, msgids: set[str], data: CustomerData) -> None:
        page = self.page
        seen = page.evaluate(INSPECT, [code for code, _name in settings.LANGUAGES])
        if seen["scrollWidth"] > seen["width"]:
            self._offence(
                f"page is {seen['scrollWidth']} px wide at {seen['width']}: "
                + ", ".join(seen["wide"])
            )
        shown: set[tuple[str, bool]] = set()
        for text, is_data in seen["texts"]:
            if (text, is_data) in shown:
                continue
            shown.add((text, is_data))
            if "DOMAIN" in text:
                self._offence(f"internal reference shown: {text[:80]!r}")
            if is_data:
                continue
            if RAW_WORD.match(text) or RAW_KEY.search(text):
                self._offence(f"raw value shown: {text[:80]!r}")
            if self.lang == "en" and HAN.search(text) and not data.covers(text):
                self._offence(f"Chinese on an English page: {text[:80]!r}")
            if self.lang == "zh-hans" and text.rstrip(":：") in msgids:
                self._offence(f"English on a Chinese page: {text[:80]!r}")
        for value in seen["values"]:
            if RAW_WORD.match(value) or RAW_KEY.fullmatch(value):
                self._offence(f"raw value in a text box: {value!r}")
        target = _screen_path(self.lang, width, self.role, url)
        target.parent.mkdir(parents=True, exist_ok=True)
        # JPEG at a middling quality: a tenth of a PNG's bytes and encoding time, and
        # still enough for a reviewer to see a layout.
        page.screenshot(path=str(target), full_page=True, type="jpeg", quality=60)


TIMES: list[tuple[float, float]] = []


def _allowed(offence: str) -> bool:
    return any(re.search(pattern, offence) for pattern, _reason in ALLOWED)


# The demo tenant as built by the first role of this process, copied back for the next.
_BUILT: list[sqlite3.Connection] = []


def _demo_tenant() -> None:
    """The demo tenant in the test database: built once per process, then copied back
    (the database is emptied after each role's test). It is built deterministically, so
    every role meets the same records with the same ids."""
    connection.ensure_connection()
    live = connection.connection
    if _BUILT:
        _BUILT[0].backup(live)
        return
    demo.build(today=TODAY, log=lambda line: None)
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    live.backup(copy)
    _BUILT.append(copy)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_on_a_phone_and_a_desktop(role, browser, live_server):
    if connection.vendor != "sqlite":
        pytest.skip("the audit runs on SQLite only (see the module's docstring)")
    started = time.monotonic()
    _demo_tenant()
    built = time.monotonic()
    SCREENS.mkdir(parents=True, exist_ok=True)
    msgids = _translated_msgids()
    data = CustomerData()
    offences: list[str] = []
    pages: list[str] = []
    timing = [f"{role}: demo built in {built - started:.0f} s"]
    for lang in LANGUAGES:
        audit = Audit(browser, live_server.url, role, lang)
        try:
            audit.sign_in()
            pages = audit.walk(pages, msgids, data)
        finally:
            audit.context.close()
        offences.extend(o for o in audit.offences if not _allowed(o))
        with (SCREENS / f"offences-{role}.txt").open("w" if lang == LANGUAGES[0] else "a") as log:
            log.writelines(f"{o}\n" for o in audit.offences)
        loading, looking = sum(t[0] for t in TIMES), sum(t[1] for t in TIMES)
        timing.append(
            f"{role} {lang} {len(pages)} pages: {loading:.0f} s loading, {looking:.0f} s inspecting"
        )
        TIMES.clear()
    timing.append(f"{role}: {time.monotonic() - started:.0f} s in all")
    (SCREENS / f"timing-{role}.txt").write_text("\n".join(timing) + "\n")
    if role == "rep":
        # The walk must have found the rep's day, or it proves nothing.
        routes = {_route_of(urlsplit(url).path) or "home" for url in pages}
        for name in (
            "accounts:detail",
            "stakeholders:detail",
            "pipeline:detail",
            "activities:detail",
        ):
            assert name in routes, f"the rep's walk never reached {name}"
    assert not offences, f"{len(offences)} offences:\n" + "\n".join(offences)
