"""Walk the service as one signed-in person would: every same-site link and GET form
reachable from the dashboard, breadth first, never a POST.

Used by tests/test_every_page.py (no page answers 5xx or shows markup as text) and by
tests/test_backup_restore.py (a restored database serves the same pages).
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html import unescape
from itertools import zip_longest
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

# What HTML shows when a template escaped markup it meant to output: a link, a line
# break, a closing tag, a tag, or markup escaped twice.
ESCAPED_MARKUP = ("&lt;a ", "&lt;br", "&lt;/", "&lt;span", "&lt;strong", "&amp;lt;")

# Bounds, so a crawl takes seconds: filters make many addresses of one page, and a few
# show whether the page works with them; lists link to many records of one kind (every
# organisation's edit page, say), and a dozen show whether that page works.
VARIANTS_PER_PATH = 3
RECORDS_PER_KIND = 12

# Never asked: static assets (not pages) and signing out (a POST, but never by accident).
SKIPPED_PREFIXES = ("/assets/", "/sign-out")


@dataclass
class Crawl:
    visited: dict[str, int] = field(default_factory=dict)  # URL -> status
    html_pages: list[str] = field(default_factory=list)  # URLs that answered 200 with HTML
    downloads: list[str] = field(default_factory=list)  # URLs that answered 200, not HTML
    problems: list[str] = field(default_factory=list)
    answers: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # URL -> (type, body)


def crawl(client, start: str = "/dashboard", *, downloaded: set[str] | None = None,
          keep_answers: bool = False, most: int | None = None) -> Crawl:
    """Everything `client` (signed in) reaches from `start`: `most` addresses at most,
    keeping what each 200 answered if `keep_answers`.

    `downloaded`, shared between crawls, holds the downloads (PDFs, spreadsheets) someone
    has already fetched: each is made once, since making PDFs is most of a crawl's time and
    who may fetch which is tests/test_authorisation.py's business."""
    result = Crawl()
    queue = deque([start])
    seen = {start} | (downloaded if downloaded is not None else set())
    variants: Counter[str] = Counter()  # addresses with a query asked, by path
    records: Counter[str] = Counter()  # paths asked, by path with its ids taken out

    def enqueue(url: str) -> None:
        url = _normalised(url)
        if url is None or url in seen:
            return
        parts = urlsplit(url)
        if parts.query:
            if variants[parts.path] >= VARIANTS_PER_PATH:
                return
            variants[parts.path] += 1
        elif any(ch.isdigit() for ch in parts.path):
            kind = re.sub(r"\d+", "N", parts.path)
            if records[kind] >= RECORDS_PER_KIND:
                return
            records[kind] += 1
        seen.add(url)
        queue.append(url)

    while queue and (most is None or len(result.visited) < most):
        url = queue.popleft()
        try:
            response = client.get(url)
        except Exception as error:  # the test app propagates what would be a 500
            result.visited[url] = 500
            result.problems.append(f"{url}: raised {error!r}")
            continue
        result.visited[url] = response.status_code
        if keep_answers and response.status_code == 200:
            result.answers[url] = (response.mimetype, response.get_data())
        if response.status_code >= 500:
            result.problems.append(f"{url}: answered {response.status_code}")
        if response.status_code in (301, 302, 303, 307, 308):
            enqueue(urljoin(url, response.headers["Location"]))
            continue
        if response.status_code != 200:
            continue
        if response.mimetype != "text/html":
            result.downloads.append(url)
            if downloaded is not None:
                downloaded.add(url)
            continue
        result.html_pages.append(url)
        html = response.get_data(as_text=True)
        shown = [escaped for escaped in ESCAPED_MARKUP if escaped in html]
        if shown:
            first = min(html.index(escaped) for escaped in shown)
            around = html[max(0, first - 40):first + 80].replace("\n", " ")
            result.problems.append(f"{url}: shows markup as text ({', '.join(shown)}): "
                                   f"...{around}...")
        links, get_forms = _links_and_get_forms(html)
        for href in links:
            enqueue(urljoin(url, href))
        for action, query in get_forms:
            enqueue(urljoin(url, action) + ("?" + query if query else ""))
    return result


def _normalised(url: str) -> str | None:
    """The path and sorted query of a same-site URL worth asking; None otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "localhost"):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return path + ("?" + query if query else "")


# The service's own markup is regular enough to read with patterns, several times faster
# than html.parser on pages this size.
_TAG = re.compile(r"<(a|form|/form|input|select|/select|option)\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def _links_and_get_forms(html: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The links of a page, and each GET form as the queries a person could submit: as it
    stands, then with each select changed to its other options in turn (first other option
    of every select, then second, ...), so every filter is tried before the cap is reached."""
    links, forms = [], []
    form = select = None
    for match in _TAG.finditer(html):
        tag = match.group(1).lower()
        attrs = {name.lower(): unescape(value or "")
                 for name, value in _ATTRIBUTE.findall(match.group(2))}
        if tag == "a" and attrs.get("href"):
            links.append(attrs["href"])
        elif tag == "form":
            is_get = (attrs.get("method") or "get").lower() == "get"
            form = (attrs.get("action") or "", [], []) if is_get else None
        elif form is None:
            continue
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                continue
            form[1].append((attrs["name"], attrs.get("value", "")))
        elif tag == "select" and attrs.get("name"):
            select = (attrs["name"], [], [])
        elif tag == "option" and select is not None:
            select[1].append(attrs.get("value", ""))
            if "selected" in attrs:
                select[2].append(attrs.get("value", ""))
        elif tag == "/select" and select is not None:
            name, options, chosen = select
            if options:
                form[2].append((name, options, chosen[0] if chosen else options[0]))
            select = None
        elif tag == "/form":
            forms += _submissions(*form)
            form = None
    return links, forms


def _submissions(action, fields, selects) -> list[tuple[str, str]]:
    as_it_stands = fields + [(name, value) for name, _, value in selects]
    submissions = [(action, urlencode(as_it_stands))]
    others = [[(name, option) for option in options if option != value]
              for name, options, value in selects]
    for round_ in zip_longest(*others):
        for choice in filter(None, round_):
            changed = [(n, choice[1] if n == choice[0] else v) for n, v in as_it_stands]
            submissions.append((action, urlencode(changed)))
    return submissions
