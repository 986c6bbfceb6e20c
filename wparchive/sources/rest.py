"""Read a live WordPress site through its REST API (``wp/v2``) as a stream of records.

The order is the WXR reader's: a `Site`, the `Author`s, the `Term`s, then every `Post`
of every type in id order, each followed by its `Comment`s. Every HTTP exchange — API
responses, the front page, each published post's permalink page — goes to the WARC
writer as a request/response pair.

How it stays near the minimum number of requests with flat memory: every collection is
read 100 items a page, ordered by id (comments by post id), a few pages ahead on the
client's thread pool. The post collections are merged by id (a heap over one page of
each), and the comments — read in bulk, ordered by post — are joined to that stream, so a
post's comments come right after it without one request per post and without holding
the site in memory: at any time the source holds a few pages per collection, one post's
comments, the user and term tables, and a bitmap of the ids seen (for de-duplication).
"""

from __future__ import annotations

import dataclasses
import heapq
import html
import json
import math
import netrc
import os
import re
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ..http import (
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    Credentials,
    HttpClient,
    HttpError,
    RefusedError,
    Response,
    origin,
    strip_userinfo,
)
from ..model import NO_PAGE_TYPES as NO_LINK_TARGET_TYPES
from ..model import Author, Comment, Content, Meta, Post, Record, Site, Term, TermRef
from ..pipeline import SourceError
from ..sinks.warc import NO_PAGE_TYPES, HttpExchange, cleaned_uri
from .wxr import ReadWarning

if TYPE_CHECKING:
    from ..pipeline import ArchiveOptions
    from ..sinks.warc import WarcWriter

PER_PAGE = 100  # the REST API's maximum
API_REL = "https://api.w.org/"

# Core post types and taxonomies the API shows only to logged-in editors: an anonymous
# run does not ask for them (401, or a count without items).
PRIVATE_TYPES = frozenset(
    {
        "nav_menu_item",
        "wp_block",
        "wp_template",
        "wp_template_part",
        "wp_global_styles",
        "wp_font_family",
        "wp_font_face",
    }
)
PRIVATE_TAXONOMIES = frozenset({"nav_menu"})

# Fields asked for when personal data is not kept (``_fields``): everything a comment or a
# user has in core except e-mail, IP, user agent and avatar URLs (an avatar URL is a hash
# of the e-mail). So the WARC never holds them either.
COMMENT_FIELDS = (
    "id,post,parent,author,author_name,author_url,date,date_gmt,content,link,status,type,meta,"
    "_links"
)
USER_FIELDS = (
    "id,username,name,first_name,last_name,url,description,link,locale,nickname,slug,roles,"
    "registered_date,meta,_links"
)

# Post types and taxonomies no link can point to (no page, no archive): not indexed.
# Reusable blocks stay: content refers to them by id.
_NO_LINK_TYPES = NO_LINK_TARGET_TYPES - {"wp_block"}
_NO_ARCHIVE_TAXONOMIES = frozenset(
    {"nav_menu", "wp_theme", "wp_template_part_area", "wp_pattern_category"}
)

# Error codes (the JSON ``code`` of a WordPress error) that mean "REST is closed to us".
BLOCK_CODES = {
    "rest_cannot_access": "the REST API is closed to visitors (rest_cannot_access, "
    "e.g. the Disable REST API plugin)",
    "rest_login_required": "the REST API requires a login (rest_login_required)",
    "itsec_rest_api_access_restricted": "Solid Security (iThemes Security) restricts the "
    "REST API (itsec_rest_api_access_restricted)",
    "rest_disabled": "the REST API is disabled (rest_disabled)",
    "rest_api_disabled": "the REST API is disabled (rest_api_disabled)",
    "rest_not_logged_in": "the REST API requires a login (rest_not_logged_in)",
}
# What a WordPress answers a request its user may not make: a revoked application
# password turns the run anonymous, and context=edit or status=any are then refused.
REFUSALS = frozenset({400, 401, 403})
_COMMENT_STATUS = {"approved": "approved", "hold": "pending", "spam": "spam", "trash": "trash"}

EXPORT_HINT = (
    "export the site as WXR instead (wp-admin → Tools → Export → All content) and run "
    "`wparchive archive` on that file, or ask the site's owner to let your user or "
    "address through"
)

_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_META_TAG = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z0-9-]+)", re.I)
# What JSON strings may hold but the archive does not: C0 controls but tab, LF and CR, and
# DEL (spaces, as the WXR reader does), and lone surrogates (U+FFFD). _MAYBE_BAD spots
# the bytes they can come from (raw, or \u escapes), so clean bodies are not walked.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_MAYBE_BAD = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u[dD][89a-fA-F]|\\[bf]"
)


class RestError(SourceError):
    """The site's REST API can't be read (blocked, refused, not WordPress...)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


# -- small helpers ---------------------------------------------------------------------


def _attrs(tag: str) -> dict[str, str]:
    return {k.lower(): html.unescape(v.strip("\"'")) for k, v in _ATTR.findall(tag)}


def _json(response: Response) -> Any:
    return _load_json(response.body)[0]


def _load_json(body: bytes) -> tuple[Any, list[str]]:
    """A JSON body parsed, and what had to be repaired in it; ``(None, [])`` when it does
    not parse. Invalid UTF-8 and lone surrogates become U+FFFD, control characters spaces
    (the WARC keeps the bytes as sent)."""
    repairs = []
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("utf-8-sig", "replace")
        repairs.append("invalid UTF-8 (replaced by U+FFFD)")
    try:
        data = json.loads(text, strict=False)  # raw control characters: replaced below
    except ValueError:
        return None, []
    if _MAYBE_BAD.search(body):
        found: set[str] = set()
        data = _repair(data, found)
        repairs += sorted(found)
    return data, repairs


def _repair(value: Any, found: set[str]) -> Any:
    """``value`` with `_BAD_CHARS` replaced in every string, keys too; what was replaced
    is named in ``found``."""
    if isinstance(value, str):
        return _BAD_CHARS.sub(lambda match: _replacement(match.group(), found), value)
    if isinstance(value, list):
        return [_repair(item, found) for item in value]
    if isinstance(value, dict):
        return {_repair(k, found): _repair(v, found) for k, v in value.items()}
    return value


def _replacement(char: str, found: set[str]) -> str:
    if char >= "\ud800":
        found.add("lone surrogates (replaced by U+FFFD)")
        return "\ufffd"
    found.add("control characters (replaced by spaces)")
    return " "


def _incomplete_json(response: Response) -> str | None:
    """Why a JSON answer can't be used as it is (cut short by a dying worker or a proxy),
    for `HttpClient` to ask again; None when it parses, or is not JSON."""
    kind = response.content_type
    if kind != "application/json" and not kind.endswith("+json"):
        return None
    return None if _load_json(response.body)[0] is not None else "incomplete or malformed JSON"


def _error(response: Response) -> tuple[str, str]:
    """The WordPress error ``(code, message)`` of a response, or ``("", "")``."""
    data = _json(response) if response.body[:1] in (b"{", b"[") else None
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return data["code"], str(data.get("message") or "")[:200]
    return "", ""


def diagnose(response: Response) -> str | None:
    """In words, what blocks the REST API in this response; None when nothing does."""
    code, _ = _error(response)
    if code in BLOCK_CODES:
        return BLOCK_CODES[code]
    text = response.text(200_000) if response.status >= 400 else ""
    if (response.header("cf-mitigated") or "").lower() == "challenge" or (
        text and ("Just a moment..." in text or "challenge-platform" in text)
    ):
        return "a Cloudflare challenge page (cf-mitigated: challenge), which only a browser passes"
    if "Your access to this site has been limited" in text or "Generated by Wordfence" in text:
        return 'the Wordfence firewall ("Your access to this site has been limited")'
    if "Sucuri WebSite Firewall" in text:
        return "the Sucuri website firewall (Access Denied)"
    return None


def _text(value: Any) -> tuple[str, str]:
    """A REST text field as (text, which): ``raw`` when the API gave it, else ``rendered``."""
    if isinstance(value, dict):
        if isinstance(value.get("raw"), str):
            return value["raw"], "raw"
        return str(value.get("rendered") or ""), "rendered"
    if isinstance(value, str):
        return value, "raw"
    return "", "none"


def _meta(value: Any) -> Meta:
    """REST ``meta`` (only keys registered for REST) in the archive's key → [values] form."""
    if not isinstance(value, dict):
        return {}  # PHP's empty array arrives as []
    return {k: v if isinstance(v, list) else [v] for k, v in value.items()}


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _header_int(response: Response, name: str) -> int | None:
    value = (response.header(name) or "").strip()
    return int(value) if value.isdigit() else None


class _IdSet:
    """Ids seen so far: a bit per id (WordPress ids are dense auto-increment integers),
    a plain set for the rare huge one. 1M ids take 125 kB."""

    _BITMAP_LIMIT = 1 << 27  # 16 MB of bitmap at most

    def __init__(self) -> None:
        self._bits = bytearray()
        self._big: set[int] = set()

    def add(self, value: int) -> None:
        if value < 0 or value >= self._BITMAP_LIMIT:
            self._big.add(value)
            return
        index = value >> 3
        if index >= len(self._bits):
            self._bits.extend(bytes(max(index + 1 - len(self._bits), len(self._bits) // 2)))
        self._bits[index] |= 1 << (value & 7)

    def __contains__(self, value: int) -> bool:
        if value < 0 or value >= self._BITMAP_LIMIT:
            return value in self._big
        index = value >> 3
        return index < len(self._bits) and bool(self._bits[index] & (1 << (value & 7)))


class _Peek:
    """An iterator with a look at the next item."""

    _EMPTY = object()

    def __init__(self, items: Iterator[Any]):
        self._items = items
        self._next: Any = self._EMPTY

    def peek(self) -> Any:
        if self._next is self._EMPTY:
            self._next = next(self._items, None)
        return self._next

    def pop(self) -> Any:
        item = self.peek()
        self._next = self._EMPTY
        return item


@dataclass
class _Type:
    """A post type or taxonomy as /wp/v2/types or /wp/v2/taxonomies lists it."""

    slug: str
    rest_base: str
    namespace: str = "wp/v2"
    related: list[str] = field(default_factory=list)  # taxonomies of a type, types of a taxonomy

    @property
    def route(self) -> str:
        return f"/{self.namespace}/{self.rest_base}"


class _Listings:
    """The listing pages the link index's first pass read, kept on disk until the main
    read asks for the same page: each page is requested (and captured) once for both
    passes, and memory does not grow with the site. Thread-safe."""

    def __init__(self) -> None:
        self._file: Any = None
        self._pages: dict[str, deque[tuple[Response, int, int]]] = {}
        self._lock = threading.Lock()

    def add(self, url: str, response: Response) -> None:
        with self._lock:
            if self._file is None:
                self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
            offset = self._file.seek(0, os.SEEK_END)
            self._file.write(response.body)
            head = dataclasses.replace(response, body=b"")
            self._pages.setdefault(url, deque()).append((head, offset, len(response.body)))

    def take(self, url: str) -> Response | None:
        with self._lock:
            pages = self._pages.get(url)
            if not pages:
                return None
            head, offset, length = pages.popleft()
            self._file.seek(offset)
            return dataclasses.replace(head, body=self._file.read(length))

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._file, self._pages = None, {}


# -- one paginated collection ------------------------------------------------------------


class _Collection:
    """One REST collection, read page by page in id order, ``lookahead`` pages ahead.

    Handles both end-of-list behaviours (posts answer 400 ``rest_post_invalid_page_number``
    past the end, comments/users/terms ``[]``), sites that strip the ``X-WP-*`` headers
    (then pages are read until a short one), and a first page refused for a parameter or
    for ``context=edit`` (read again with what the public may ask).
    """

    def __init__(
        self,
        source: RestSource,
        name: str,
        route: str,
        params: dict[str, Any],
        *,
        key: Callable[[dict], int | None],
        seen: _IdSet,
        public_params: dict[str, Any] | None = None,
        order: Callable[[dict], Any] | None = None,
        first_pass: bool = False,
    ):
        self.source = source
        self.first_pass = first_pass  # its pages are kept for the main read (`_Listings`)
        self.name = name
        self.route = route
        self.params = dict(params)
        self.public_params = public_params
        self.key = key
        self.order = order or (lambda item: key(item) or 0)  # what the collection is sorted by
        self.seen = seen
        self.total: int | None = None  # X-WP-Total of the first page
        self.totals: set[int] = set()  # every X-WP-Total seen (changes mean shifting content)
        self.pages: int | None = None  # the largest X-WP-TotalPages seen
        self.requests = 0
        self.unique = 0
        self.relisted = False  # listed again by id: the total changed while it was read
        self.caught_up: list[int] = []  # ids missed by the pages, then read by id
        self.missed: list[int] = []  # ids missed by the pages and not readable by id
        self.readable = True
        self.started = False
        self.first_read = False
        self._first: Future | None = None

    # pages -----------------------------------------------------------------------------

    def start(self) -> None:
        """Ask for page 1 now (on the pool), so every collection's first page is in flight."""
        if self._first is None:
            self.started = True
            self._first = self._submit(1)

    def _submit(self, page: int) -> Future:
        self.requests += 1
        params = dict(self.params)
        if page > 1:
            params["page"] = page
        fetch = self.source._listed if self.first_pass else self.source._api
        return self.source._http.submit(fetch, self.route, params)

    def _first_page(self) -> Response | None:
        """Page 1, after any fallback; None when the collection can't be read."""
        self.start()
        assert self._first is not None
        response = self._first.result()
        for _round in range(3):
            if response.status == 200:
                return response
            blocked = diagnose(response)
            if blocked:
                raise self.source._blocked(blocked, response)
            if response.status in REFUSALS and self.source._credentials_lost():
                raise self.source._lost_credentials(self.name, response)
            code, message = _error(response)
            if response.status == 400 and code == "rest_invalid_param":
                data = _json(response)
                details = data.get("data") if isinstance(data, dict) else None
                refused = sorted((details or {}).get("params") or {})
                refused = [p for p in refused if p in self.params and p != "page"]
                if refused:
                    self.source._note(
                        f"{self.name}: the site refused the parameter(s) {', '.join(refused)} "
                        f"({message}); read without them"
                    )
                    for name in refused:
                        self.params.pop(name)
                    response = self._submit(1).result()
                    continue
            if (
                response.status in (401, 403)
                and self.public_params is not None
                and self.params != self.public_params
            ):
                self.source._note(
                    f"{self.name}: this user may not read everything here "
                    f"({code or 'HTTP ' + str(response.status)}); read what the public sees"
                )
                self.params, self.public_params = dict(self.public_params), None
                response = self._submit(1).result()
                continue
            break
        self.readable = False
        code, message = _error(response)
        what = f"HTTP {response.status}" + (f" {code}" if code else "")
        self.source._unreadable(self.name, what, message)
        return None

    def _items(self, response: Response) -> list[dict]:
        total, pages = _header_int(response, "X-WP-Total"), _header_int(response, "X-WP-TotalPages")
        if total is not None:
            self.totals.add(total)
            if self.total is None:
                self.total = total
        if pages is not None:
            self.pages = max(self.pages or 0, pages)
        return self._parse(response)

    def _parse(self, response: Response) -> list[dict]:
        data, repairs = _load_json(response.body)
        if not isinstance(data, list):
            raise RestError(
                f"{response.url}: expected a JSON list from the REST API, got "
                f"{response.content_type or 'no content type'} (HTTP {response.status})",
                EXPORT_HINT,
            )
        if repairs:
            self.source._note(
                f"{self.name}: the site's JSON held {', '.join(repairs)} ({response.url}); "
                f"the WARC keeps the bytes as sent"
            )
        items = [item for item in data if isinstance(item, dict)]
        # Within a page, the collection's order even where the site ignored orderby
        # (templates do); ties keep the server's order.
        items.sort(key=self.order)
        return items

    @staticmethod
    def _past_end(response: Response) -> bool:
        return response.status == 400 and _error(response)[0] == "rest_post_invalid_page_number"

    def items(self) -> Iterator[dict]:
        """Every item once, in id order (page by page); duplicates and id-less items
        dropped. Items the site added or moved across pages while they were read come
        last (`_catch_up`)."""
        yield from self._pages()
        yield from self._catch_up()

    def _pages(self) -> Iterator[dict]:
        first = self._first_page()
        self.first_read = True
        if first is None:
            return
        page = self._items(first)
        yield from self._new(page)
        headers = self.pages is not None
        if (self.pages or 0) <= 1 and len(page) < PER_PAGE:
            return  # one page holds it all (also where the X-WP-* headers are missing)
        lookahead = max(1, self.source._lookahead)
        pending: deque[Future] = deque()
        next_page = 2
        try:
            while True:
                while len(pending) < (lookahead if headers else 1) and (
                    (headers and next_page <= (self.pages or 0)) or (not headers and not pending)
                ):
                    pending.append(self._submit(next_page))
                    next_page += 1
                if not pending:
                    if headers and self._read_on(page):
                        self.pages = next_page
                        continue
                    return
                response = pending.popleft().result()
                if self._past_end(response):
                    return  # the list shrank while being read; the final check will tell
                if response.status != 200:
                    raise self.source._refused(self.name, response)
                page = self._items(response)
                fresh = 0
                for item in self._new(page):
                    fresh += 1
                    yield item
                if not page or (not headers and (len(page) < PER_PAGE or not fresh)):
                    return
        finally:
            for future in pending:
                future.cancel()

    def _read_on(self, last: list[dict]) -> bool:
        """Whether the page X-WP-TotalPages calls the last is not: it is full, and fewer
        items came than X-WP-Total counts (a caching plugin's stale header, a filter)."""
        if len(last) < PER_PAGE or self.unique >= max(self.totals, default=0):
            return False
        self.source._note(
            f"{self.name}: X-WP-TotalPages counts fewer pages than there are (its last page "
            f"is full, and X-WP-Total counts more items); read on to the end"
        )
        return True

    def _catch_up(self) -> Iterator[dict]:
        """Items added or moved across a page boundary while the pages were read (the
        total changed on the way): the ids are listed again, and those missed read by id."""
        if not self.readable or len(self.totals) <= 1:
            return
        self.relisted = True
        missing = [i for i in self._list_ids() if i not in self.seen]
        for start in range(0, len(missing), PER_PAGE):
            chunk = missing[start : start + PER_PAGE]
            response = self.source._api(
                self.route, {**self.params, "include": ",".join(map(str, chunk))}
            )
            self.requests += 1
            if response.status != 200:
                raise self.source._refused(self.name, response)
            for item in self._new(self._parse(response)):
                self.caught_up.append(self.key(item) or 0)
                yield item
        self.missed = [i for i in missing if i not in self.seen]

    def _new(self, page: list[dict]) -> Iterator[dict]:
        for item in page:
            key = self.key(item)
            if key is None:
                continue
            if key in self.seen:
                if not self.first_pass:  # the main read meets the same pages: counted there
                    self.source.duplicates += 1
                continue
            self.seen.add(key)
            self.unique += 1
            yield item

    # completeness ------------------------------------------------------------------------

    def check(self) -> None:
        """Compare what was read with ``X-WP-Total``; name the ids missed, if any."""
        if not self.readable or not self.totals:
            return
        final = max(self.totals)
        if self.relisted:
            if self.caught_up:
                self.source._note(
                    f"{self.name}: {len(self.caught_up)} item(s) were added or moved across "
                    f"pages while the collection was read (the site changed); read again by "
                    f"id: ids {_shown(self.caught_up)}"
                )
            if self.missed:
                self.source._warn(
                    ReadWarning(
                        f"{self.name}: {len(self.missed)} item(s) were added or moved while the "
                        f"collection was read and are not in the archive: ids "
                        f"{_shown(self.missed)}",
                        self.source.api_root,
                        lost=True,
                    )
                )
            return
        if self.unique < final:
            who = "this user" if self.source.authenticated else "an anonymous reader"
            self.source._note(
                f"{self.name}: the API counts {final} but shows {self.unique} to {who} "
                f"({final - self.unique} not readable)"
            )

    def _list_ids(self) -> list[int]:
        params = {**self.params, "_fields": "id"}
        ids: list[int] = []
        page = 1
        while True:
            response = self.source._api(
                self.route, {**params, "page": page} if page > 1 else params
            )
            self.requests += 1
            if response.status != 200:
                return ids
            data = _json(response)
            if not isinstance(data, list) or not data:
                return ids
            ids += [i["id"] for i in data if isinstance(i, dict) and isinstance(i.get("id"), int)]
            if len(data) < PER_PAGE:  # the last page, whatever X-WP-TotalPages says
                return ids
            page += 1


# -- the source ------------------------------------------------------------------------


class RestSource:
    """A WordPress site read through its REST API; implements `wparchive.sources.Source`."""

    kind = "rest"
    renders_pages = False  # it captures the real permalink pages instead

    def __init__(
        self,
        url: str,
        options: ArchiveOptions | None = None,
        *,
        warn: Callable[[ReadWarning], None] | None = None,
        client: HttpClient | None = None,
        replay: Any = None,
    ):
        from ..pipeline import ArchiveOptions

        self.options = options or ArchiveOptions()
        self.url, url_user, url_password = strip_userinfo(url)
        self._url_credentials = (url_user, url_password)
        self._warn_cb = warn or (lambda w: None)
        concurrency = getattr(self.options, "concurrency", DEFAULT_CONCURRENCY) or 1
        self._lookahead = concurrency
        self._http = client or HttpClient(
            timeout=getattr(self.options, "timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT,
            concurrency=concurrency,
            rate=getattr(self.options, "rate", None) or None,
            permanent=lambda r: diagnose(r) is not None,
            incomplete=_incomplete_json,
        )
        self._http.capture = self._capture
        self._http.replay = replay  # a resumed run: its interrupted run's answers first
        self.user_agent = self._http.user_agent
        self.duplicates = 0
        self.api_root = ""
        self.discovery = ""
        self.authenticated = False
        self._me_checked = False  # users/me knew the credentials: asked again when refused
        self.user: str | None = None
        self.keep_personal_data = bool(getattr(self.options, "keep_personal_data", False))
        self.capture_pages = bool(getattr(self.options, "pages", True))
        self.site: Site | None = None
        self._page_urls: set[str] = set()  # permalinks captured: cleaned into conversions
        self._page_cleaner: Any = None
        self._index: dict[str, Any] = {}
        self._front: Response | None = None
        self._writer: WarcWriter | None = None
        self._capture_off = False
        self._queue: deque[HttpExchange] = deque()  # exchanges waiting for the main thread
        # posts (with their comments) waiting for their permalink page's capture
        self._held: deque[tuple[list[Record], Future | None]] = deque()
        self._page_records: dict[str, str] = {}  # permalink -> its response's record id
        self._collections: list[_Collection] = []
        self._fixed_requests = 0
        self._done = 0
        self._logins: dict[int, str] = {}
        self._terms: dict[tuple[str, int], TermRef] = {}
        self._taxonomies: list[_Type] = []
        self._types: list[_Type] = []
        self._index_collections: list[_Collection] = []  # the link index's first pass
        self._listings = _Listings()  # its pages, until the main read takes them
        self._post_ids = _IdSet()  # one id space for every post type
        self._content_kinds: set[str] = set()
        self._notes: set[str] = set()
        self._orphans: list[int] = []
        self._orphan_count = 0
        self._unknown_authors: set[int] = set()
        self._unknown_terms = 0
        self._page_problems: list[str] = []

    # -- the Source protocol ----------------------------------------------------------

    @property
    def robots(self) -> str:
        rate = getattr(self.options, "rate", None)
        return (
            "robots.txt not consulted: only the site's own REST API and the permalinks it "
            f"lists were requested, at most {self._http.concurrency} at a time"
            + (f" and {rate:g} per second" if rate else "")
            + f", as {self.user_agent}"
        )

    @property
    def description(self) -> str:
        home = self.site.base_blog_url if self.site else self.url
        pages = "and each published post's permalink page " if self.capture_pages else ""
        return (
            f"WordPress REST API capture of {home}: every API response {pages}as the "
            f"server sent it (request and response records)"
        )

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "rest",
            "url": self.url,
            "api_root": self.api_root,
            "discovery": self.discovery,
            "authenticated": self.authenticated,
            "user": self.user,
            "pages": self.capture_pages,
            "content": "raw" if self.authenticated else "rendered",
            "author_login": "username" if self.authenticated else "slug",
            "unavailable": self.unavailable(),
        }

    def position(self) -> tuple[int, int | None, str]:
        started = [c for c in self._collections if c.started]
        if not started or not all(c.first_read for c in started):
            return self._done, None, "items"
        return self._done, sum(c.total or 0 for c in started), "items"

    def finish(self) -> None:
        """Stop background work: page captures still in flight (after a failure) are
        cancelled. After a complete read there is none left."""
        for _, future in self._held:
            if future is not None:
                future.cancel()
        self._held.clear()
        self._http.close()
        self._listings.close()

    def start_capture(self, writer: WarcWriter) -> None:
        """From now on every exchange goes to ``writer``; the discovery ones are queued."""
        self._writer = writer

    def unavailable(self) -> list[str]:
        """What this run could not archive because the REST API does not give it."""
        always = [
            "post, comment, term and user meta not registered for REST (most plugin data)",
            "spam comments' and pingbacks' meta",
            "the theme's own templates (files, not content)",
        ]
        if self.authenticated:
            return always
        return [
            "drafts, pending, private, scheduled and trashed posts",
            "pending, spam and trashed comments, pingbacks and trackbacks",
            "raw content: content.raw holds content.rendered (blocks, shortcodes and "
            "wpautop already applied)",
            "user logins: authors carry their public slug as login",
            "users who have published nothing; e-mail addresses and IPs",
            "the text of password-protected posts",
            "reusable blocks, navigation menus and templates",
            *always,
        ]

    @property
    def stats(self) -> dict[str, Any]:
        """Requests made, and the fewest that could have read the same collections: each
        page of each collection once. The link index's first pass (`index_records`) reads
        the pages the main read then takes from it; its listings show as ``index <name>``."""
        started = [(c.name, c) for c in self._collections if c.started]
        indexed = [(f"index {c.name}", c) for c in self._index_collections if c.started]
        collections = {
            name: {"total": c.total, "requests": c.requests} for name, c in started + indexed
        }
        minimum = self._fixed_requests + sum(
            max(1, math.ceil((c.total or 0) / PER_PAGE)) if c.total is not None else c.requests
            for _, c in started
        )
        return {
            "api_requests": self._http.stats["api"],
            "page_requests": self._http.stats["page"],
            "index_api_requests": sum(c.requests for _, c in indexed),
            "minimum_api_requests": minimum,
            "collections": collections,
        }

    # -- reading ------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Record]:
        try:
            yield from self._read()
        finally:
            self._http.close()

    def _prepare(self) -> Site:
        """Discovery, the credentials check and the catalogue of types and taxonomies:
        done once, by whichever of the main read and `index_records` comes first."""
        if self.site is None:
            self._discover()
            self._authenticate()
            self._types, self._taxonomies = self._catalog()
            self.site = self._site()
        return self.site

    def _read(self) -> Iterator[Record]:
        self.site = self._prepare()
        types = self._types
        taxonomies = self._taxonomies
        yield self.site
        if self._writer is None:  # nobody asked for captures (inspect, --no-warc)
            self._capture_off = True
            self._queue.clear()
        self._fixed_requests = self._http.stats["api"] - sum(
            c.requests for c in self._index_collections
        )
        if not self.authenticated:
            self._note(
                "read anonymously: the REST API shows only published content "
                "(no drafts, private posts, pending comments or raw content); give an "
                "application password (WPARCHIVE_USER and WPARCHIVE_APP_PASSWORD, ~/.netrc "
                "or --user) to archive everything"
            )

        users = self._users_collection()
        term_collections = [self._terms_collection(t) for t in taxonomies]
        post_collections = [self._posts_collection(t) for t in types]
        comment_collections = self._comments_collections()
        for collection in [users, *term_collections, *post_collections, *comment_collections]:
            collection.start()

        yield from self._authors(users)
        for collection, taxonomy in zip(term_collections, taxonomies, strict=True):
            yield from self._taxonomy_terms(collection, taxonomy)
        yield from self._posts_and_comments(post_collections, comment_collections, types)

        for collection in self._collections:
            collection.check()
        self._final_warnings()
        self._drain()

    # the link index: a cheap first pass ------------------------------------------------

    def index_records(self) -> Iterator[Record]:
        """The first pass for link rewriting (`wparchive.links.SiteIndex`): the `Site`,
        then `Author`, `Term` and `Post` records (no comments) — everything links can
        point to: ids, slugs, permalinks, statuses, parents, old slugs (when registered
        for REST), each attachment's file and image sizes.

        It reads the main read's own listings — same credentials, ``context``, statuses
        and fallbacks, so drafts, private and trashed posts are known, and links to them
        reported — and keeps their pages on disk (`_Listings`) for the main read, which
        takes them from there: each page is requested and captured once for both passes.
        Post types WordPress gives no page (menu items, templates, navigation; reusable
        blocks are kept: content refers to them by id) and taxonomies without archives
        (menus) are not read here. `stats` counts these listings as ``index <name>``.
        What it can't read is noted under the main read's names, so said once.
        """
        site = self._prepare()
        yield site
        quiet = self._writer is None  # nothing will be written: don't hold the captures
        if quiet:
            self._capture_off = True
        try:
            yield from self._index_pass()
        finally:
            if quiet:
                self._capture_off = False
            self._drain()

    def _index_pass(self) -> Iterator[Record]:
        users = self._users_collection(first_pass=True)
        taxonomies = [t for t in self._taxonomies if t.slug not in _NO_ARCHIVE_TAXONOMIES]
        types = [t for t in self._types if t.slug not in _NO_LINK_TYPES]
        terms = [self._terms_collection(t, first_pass=True) for t in taxonomies]
        posts = [self._posts_collection(t, first_pass=True) for t in types]
        for collection in [users, *terms, *posts]:
            collection.start()
        for item in users.items():
            author = self._author(item)
            # known before the posts below, whose full items name their author
            self._logins[author.id or 0] = author.login
            yield author
        self._drain()
        for collection, taxonomy in zip(terms, taxonomies, strict=True):
            items = list(collection.items())
            slugs = {item["id"]: str(item.get("slug") or "") for item in items}
            for item in items:
                if item.get("slug"):
                    yield Term(
                        id=item["id"],
                        taxonomy=str(item.get("taxonomy") or taxonomy.slug),
                        slug=str(item["slug"]),
                        parent=slugs.get(_int(item.get("parent")), ""),
                    )
            self._drain()
        streams = [self._index_posts(c, t.slug) for c, t in zip(posts, types, strict=True)]
        for post in heapq.merge(*streams, key=lambda post: post.id):
            self._drain()
            yield post

    def _index_posts(self, collection: _Collection, post_type: str) -> Iterator[Post]:
        for item in collection.items():
            yield self._post(item, post_type, [])

    # captures ----------------------------------------------------------------------------

    def _capture(self, exchange: HttpExchange) -> None:
        """Called from any thread; the WARC writer is only ever used from the main one."""
        if not self._capture_off:
            self._queue.append(exchange)

    def _drain(self) -> None:
        if self._writer is None:
            return
        while self._queue:
            exchange = self._queue.popleft()
            response, _ = self._writer.exchange(exchange)
            if exchange.url in self._page_urls:
                self._page_records.setdefault(exchange.url, response.record_id)
                self._clean_page(exchange, response)

    def _clean_page(self, exchange: HttpExchange, response: Any) -> None:
        """A captured permalink page, cleaned of plugin and theme artifacts, as a
        conversion record beside the original (which is what replays)."""
        content_type = next(
            (v for k, v in exchange.response_headers if k.lower() == "content-type"), ""
        )
        if not self.options.clean or exchange.status != 200 or "html" not in content_type:
            return
        if self._page_cleaner is None:
            from ..clean import Cleaner

            self._page_cleaner = Cleaner(
                self.options.locale or (self.site.language if self.site else None) or None,
                keep=set(self.options.keep),
                only=set(self.options.only),
                l10n_dirs=list(self.options.l10n_dirs),
            )
        page = exchange.body.decode("utf-8", "replace")
        result = self._page_cleaner.clean_html(page, kind="page")
        if result.removed and self._writer is not None:
            self._writer.conversion(
                cleaned_uri(exchange.url),
                "text/html; charset=utf-8",
                result.html.encode("utf-8"),
                refers_to=response,
            )

    def _out(self, record: Record) -> Record:
        self._drain()
        self._done += 1
        return record

    # warnings ----------------------------------------------------------------------------

    def _warn(self, warning: ReadWarning) -> None:
        self._warn_cb(warning)

    def _note(self, message: str) -> None:
        """Something REST did not give, said once (not a loss of what was readable)."""
        if message not in self._notes:
            self._notes.add(message)
            self._warn(ReadWarning(message, self.api_root or self.url))

    def _unreadable(self, name: str, what: str, message: str) -> None:
        detail = f": {message}" if message else ""
        self._note(f"{name}: not readable ({what}{detail}); left out")

    def _blocked(self, what: str, response: Response) -> RestError:
        return RestError(
            f"{self.url}: the WordPress REST API is blocked: {what} "
            f"(HTTP {response.status} from {response.url})",
            EXPORT_HINT,
        )

    def _refused(self, name: str, response: Response) -> RestError:
        blocked = diagnose(response)
        if blocked:
            return self._blocked(blocked, response)
        if response.status in REFUSALS and self._credentials_lost():
            return self._lost_credentials(name, response)
        code, message = _error(response)
        detail = f" {code}: {message}" if code else ""
        return RestError(
            f"{name}: {response.url} answered HTTP {response.status}{detail}; "
            f"the collection can't be read to the end",
            "run again later; if it keeps failing, " + EXPORT_HINT,
        )

    def _credentials_lost(self) -> bool:
        """Whether the credentials users/me accepted at the start no longer work (the
        application password was revoked mid-run): users/me, asked again."""
        if not self._me_checked:
            return False
        me = self._api("/wp/v2/users/me", {"context": "edit"})
        data = _json(me)
        return not (me.status == 200 and isinstance(data, dict) and isinstance(data.get("id"), int))

    def _lost_credentials(self, name: str, response: Response) -> RestError:
        code, _ = _error(response)
        return RestError(
            f"{self.api_root}: the site stopped accepting the application password of "
            f"{self.user!r} during the run ({name}: HTTP {response.status}"
            f"{' ' + code if code else ''}, and users/me no longer knows the user)",
            "it was revoked or changed, or a security plugin locked the user out: create a "
            "new one (Users → Profile → Application Passwords) and run again",
        )

    def _final_warnings(self) -> None:
        if self._http.retried:
            what = ", ".join(f"{why} ×{n}" for why, n in self._http.retried.most_common())
            self._note(
                f"the site failed {self._http.retried.total()} attempt(s) on the way ({what}); "
                f"each was retried"
            )
        if self._orphan_count:
            shown = ", ".join(map(str, self._orphans[:10]))
            self._note(
                f"{self._orphan_count} comment(s) belong to posts the API did not list "
                f"(post ids {shown}); kept, after the post before them"
            )
        if self._unknown_authors:
            shown = ", ".join(map(str, sorted(self._unknown_authors)[:10]))
            self._note(
                f"posts by user ids the users endpoint did not list ({shown}): their "
                f"author is empty, the id is in provenance"
            )
        if self._unknown_terms:
            self._note(f"{self._unknown_terms} term reference(s) to terms not listed: left out")
        for problem in self._page_problems[:20]:
            self._note(problem)

    # -- HTTP ---------------------------------------------------------------------------

    def _route(self, route: str, params: dict[str, Any] | None = None) -> str:
        """The URL of a route under the API root, pretty (/wp-json/) or plain (?rest_route=)."""
        parts = urlsplit(self.api_root)
        query = parse_qsl(parts.query, keep_blank_values=True)
        route = "/" + route.lstrip("/")
        if any(k == "rest_route" for k, _ in query):
            query = [(k, route if k == "rest_route" else v) for k, v in query]
            path = parts.path
        else:
            path = parts.path.rstrip("/") + route
        query += [(k, str(v)) for k, v in (params or {}).items()]
        return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query, safe="/,"), ""))

    def _api(self, route: str, params: dict[str, Any] | None = None) -> Response:
        url = self._route(route, params)
        listed = self._listings.take(url)  # a page the first pass already read
        return listed if listed is not None else self._get(url, kind="api")

    def _listed(self, route: str, params: dict[str, Any] | None = None) -> Response:
        """A first-pass page: kept for the main read, which will ask for the same URL."""
        response = self._get(self._route(route, params), kind="api")
        self._listings.add(self._route(route, params), response)
        return response

    def _get(self, url: str, *, kind: str, follow: str = "same-host") -> Response:
        auth = kind == "api" and self._http.credentials is not None
        try:
            return self._http.get(url, auth=auth, follow=follow, kind=kind)
        except RefusedError as exc:
            raise RestError(str(exc), "if it keeps failing, " + EXPORT_HINT) from None
        except HttpError as exc:
            raise RestError(str(exc), "check the address; " + EXPORT_HINT) from None

    # -- discovery ------------------------------------------------------------------------

    def _discover(self) -> None:
        """Find the API root: Link header, then HTML <link>, then ?rest_route=/."""
        front = self._get(self.url, kind="page", follow="any")
        blocked = diagnose(front)
        if blocked:
            raise self._blocked(blocked, front)
        if front.content_type in ("text/html", "application/xhtml+xml"):
            self._front = front
        candidates: list[tuple[str, str]] = []
        for value in front.header_values("Link"):
            for link in requests.utils.parse_header_links(value):
                if link.get("rel") == API_REL and link.get("url"):
                    candidates.append((link["url"], "link-header"))
        if self._front is not None:
            for tag in _LINK_TAG.findall(front.text(1 << 20)):
                attrs = _attrs(tag)
                if attrs.get("rel") == API_REL and attrs.get("href"):
                    candidates.append((attrs["href"], "html-link"))
        for root, _ in list(candidates):
            if "/wp-json" in root:  # the same API with /wp-json/ blocked by the server
                candidates.append((root.split("/wp-json", 1)[0] + "/?rest_route=/", "rest_route"))
        parts = urlsplit(front.url)
        directory = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
        for path in (directory, "/"):
            candidates.append(
                (urlunsplit((parts.scheme, parts.netloc, path, "rest_route=/", "")), "rest_route")
            )
        seen: list[str] = []
        tried: set[str] = set()
        for root, method in candidates:
            if root in tried:
                continue
            tried.add(root)
            self.api_root = root
            index = self._api("/")
            blocked = diagnose(index)
            if blocked:
                raise self._blocked(blocked, index)
            data = _json(index) if index.status == 200 else None
            if isinstance(data, dict) and isinstance(data.get("namespaces"), list):
                if "wp/v2" not in data["namespaces"]:
                    raise RestError(
                        f"{root}: a REST API without the wp/v2 namespace (only "
                        f"{', '.join(map(str, data['namespaces']))})",
                        EXPORT_HINT,
                    )
                self.discovery, self._index = method, data
                return
            code, _ = _error(index)
            seen.append(f"{root} → HTTP {index.status}" + (f" {code}" if code else ""))
        self.api_root = ""
        raise RestError(
            f"{self.url}: no WordPress REST API found ({'; '.join(seen)})",
            "check that the address is a WordPress site; " + EXPORT_HINT,
        )

    # -- authentication ---------------------------------------------------------------------

    def _find_credentials(self) -> Credentials | None:
        """The application password to use, from (in order) the options or the URL,
        WPARCHIVE_USER/WPARCHIVE_APP_PASSWORD, ~/.netrc, or a prompt."""
        host = urlsplit(self.api_root).hostname or ""
        api_origin = origin(self.api_root)
        user = getattr(self.options, "user", "") or self._url_credentials[0] or ""
        password = getattr(self.options, "password", None) or self._url_credentials[1]
        env_user = os.environ.get("WPARCHIVE_USER", "")
        env_password = os.environ.get("WPARCHIVE_APP_PASSWORD", "")
        if user:
            if not password and env_password and env_user in ("", user):
                password = env_password
            if not password:
                login, stored = self._netrc(host)
                if login == user:
                    password = stored
            ask = getattr(self.options, "ask_password", None)
            if not password and ask is not None:
                password = ask(user, host)
            if not password:
                raise RestError(
                    f"no application password for user {user!r}",
                    "set WPARCHIVE_APP_PASSWORD, add a ~/.netrc entry for "
                    f"{host}, or run from a terminal to be asked for it",
                )
            return Credentials(user, password, api_origin)
        if env_user and env_password:
            return Credentials(env_user, env_password, api_origin)
        login, stored = self._netrc(host)
        if login and stored:
            return Credentials(login, stored, api_origin)
        return None

    def _netrc(self, host: str) -> tuple[str | None, str | None]:
        path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
        if not os.path.isfile(path):
            return None, None
        try:
            entries = netrc.netrc(path)
        except (netrc.NetrcParseError, OSError) as exc:
            self._note(f"{path}: not readable as a .netrc file ({type(exc).__name__}); ignored")
            return None, None
        if host not in entries.hosts:  # never the "default" entry: credentials stay per host
            return None, None
        login, _account, password = entries.hosts[host]
        return login, password

    def _authenticate(self) -> None:
        credentials = self._find_credentials()
        if credentials is None:
            return
        self._http.credentials = credentials
        me = self._api("/wp/v2/users/me", {"context": "edit"})
        data = _json(me)
        if me.status == 200 and isinstance(data, dict) and isinstance(data.get("id"), int):
            self.authenticated = self._me_checked = True
            self.user = str(data.get("username") or data.get("slug") or credentials.user)
            return
        code, message = _error(me)
        name = credentials.user
        if code in ("rest_not_logged_in", "rest_user_cannot_view"):
            raise RestError(
                f"credentials for {name!r} were sent, but {self.api_root} answered as if none "
                f"were ({code}): the user name or application password is wrong, the server "
                f"strips the Authorization header (Apache with CGI/FastCGI), or application "
                f"passwords are off (WordPress allows them over HTTPS, or with "
                f"WP_ENVIRONMENT_TYPE local)",
                "on Apache add `CGIPassAuth On` (or a `SetEnvIf Authorization` rule) to "
                ".htaccess; or drop the credentials to archive what the public sees",
            )
        if me.status in (401, 403):
            raise RestError(
                f"{self.api_root} refused the credentials for {name!r} "
                f"({code or 'HTTP ' + str(me.status)}"
                f"{': ' + message if message else ''})",
                "check the user name and the application password (Users → Profile → "
                "Application Passwords); the login password does not work here",
            )
        # No users/me route (a security plugin removed it): go on, with a word.
        self.authenticated = True
        self.user = name
        self._note(
            f"could not check the credentials (users/me answered HTTP {me.status} "
            f"{code}); read as {name!r}"
        )

    # -- the site's catalogue -------------------------------------------------------------------

    def _catalog(self) -> tuple[list[_Type], list[_Type]]:
        """The post types and taxonomies to read, from /wp/v2/types and /wp/v2/taxonomies."""
        types: list[_Type] = []
        taxonomies: list[_Type] = []
        for route, out in (("/wp/v2/types", types), ("/wp/v2/taxonomies", taxonomies)):
            response = self._api(route)
            data = _json(response)
            if response.status != 200 or not isinstance(data, dict):
                blocked = diagnose(response)
                if blocked:
                    raise self._blocked(blocked, response)
                self._note(f"{route}: not readable (HTTP {response.status}); core types only")
                data = _CORE_TYPES if route.endswith("types") else _CORE_TAXONOMIES
            for slug, info in data.items():
                if not isinstance(info, dict) or not info.get("rest_base"):
                    continue
                related = info.get("taxonomies") if route.endswith("types") else info.get("types")
                out.append(
                    _Type(
                        slug=str(info.get("slug") or slug),
                        rest_base=str(info["rest_base"]),
                        namespace=str(info.get("rest_namespace") or "wp/v2"),
                        related=list(related or []),
                    )
                )
        if not self.authenticated:
            types = [t for t in types if t.slug not in PRIVATE_TYPES]
            taxonomies = [t for t in taxonomies if t.slug not in PRIVATE_TAXONOMIES]
        return types, taxonomies

    def _site(self) -> Site:
        index = self._index
        home = str(index.get("home") or index.get("url") or self.url).rstrip("/")
        front = self._front
        if front is None and home:
            try:
                page = self._get(home + "/", kind="page")
                if page.content_type in ("text/html", "application/xhtml+xml"):
                    front = page
            except RestError:
                front = None
        language = generator = ""
        if front is not None:
            head = front.text(1 << 20)
            match = _HTML_LANG.search(head)
            language = match.group(1) if match else ""
            for tag in _META_TAG.findall(head):
                attrs = _attrs(tag)
                if attrs.get("name", "").lower() == "generator" and not generator:
                    generator = attrs.get("content", "")
        return Site(
            title=str(index.get("name") or ""),
            url=home,
            description=str(index.get("description") or ""),
            language=language,
            base_site_url=str(index.get("url") or home).rstrip("/"),
            base_blog_url=home,
            wxr_version=None,
            generator=generator,
        )

    # -- collections --------------------------------------------------------------------------

    def _collection(
        self,
        name: str,
        route: str,
        params: dict[str, Any],
        *,
        seen: _IdSet,
        key: Callable[[dict], int | None] | None = None,
        public: dict[str, Any] | None = None,
        order: Callable[[dict], Any] | None = None,
        first_pass: bool = False,
    ) -> _Collection:
        """A collection of the main read, or (``first_pass``) the same listing read first
        for the link index: same parameters and fallbacks, so the same URLs, whose pages
        the main read then takes from `_Listings` instead of the site; its own id set."""
        base = {"per_page": PER_PAGE, **params}
        collection = _Collection(
            self,
            name,
            route,
            base,
            key=key or _id,
            seen=_IdSet() if first_pass else seen,
            public_params={"per_page": PER_PAGE, **public} if public is not None else None,
            order=order,
            first_pass=first_pass,
        )
        (self._index_collections if first_pass else self._collections).append(collection)
        return collection

    def _users_collection(self, *, first_pass: bool = False) -> _Collection:
        params: dict[str, Any] = {"orderby": "id", "order": "asc"}
        if not self.keep_personal_data:
            params["_fields"] = USER_FIELDS
        public = dict(params)
        if self.authenticated:
            params["context"] = "edit"
        return self._collection(
            "users", "/wp/v2/users", params, seen=_IdSet(), public=public, first_pass=first_pass
        )

    def _terms_collection(self, taxonomy: _Type, *, first_pass: bool = False) -> _Collection:
        params: dict[str, Any] = {"orderby": "id", "order": "asc"}
        public = dict(params)
        if self.authenticated:
            params["context"] = "edit"
        return self._collection(
            f"terms {taxonomy.slug}",
            taxonomy.route,
            params,
            seen=_IdSet(),
            public=public,
            first_pass=first_pass,
        )

    def _posts_collection(self, post_type: _Type, *, first_pass: bool = False) -> _Collection:
        params: dict[str, Any] = {"orderby": "id", "order": "asc"}
        public = dict(params)
        if self.authenticated:
            params["context"] = "edit"
            # "any" leaves out trash; attachments know only their own statuses.
            statuses = "inherit,private,trash" if post_type.slug == "attachment" else "any,trash"
            params["status"] = statuses
        return self._collection(
            post_type.slug,
            post_type.route,
            params,
            seen=self._post_ids,
            key=_post_id,
            public=public,
            first_pass=first_pass,
        )

    def _comments_collections(self) -> list[_Collection]:
        seen = _IdSet()
        base: dict[str, Any] = {"orderby": "post", "order": "asc"}
        if not self.keep_personal_data:
            base["_fields"] = COMMENT_FIELDS

        def comment(name: str, params: dict[str, Any], public: dict | None = None) -> _Collection:
            return self._collection(
                name, "/wp/v2/comments", params, seen=seen, public=public, order=_by_post
            )

        if not self.authenticated:
            return [comment("comments", base)]
        # status takes one value (sanitize_key); "all" is approved + pending. An empty type
        # lifts the default type=comment, so pingbacks, trackbacks and notes come too.
        edit = {**base, "context": "edit", "type": ""}
        return [
            comment("comments", {**edit, "status": "all"}, public=base),
            comment("comments spam", {**edit, "status": "spam"}),
            comment("comments trash", {**edit, "status": "trash"}),
        ]

    # -- records ----------------------------------------------------------------------------

    def _authors(self, users: _Collection) -> Iterator[Record]:
        for item in users.items():
            author = self._author(item)
            self._logins[author.id or 0] = author.login
            yield self._out(author)

    def _author(self, item: dict) -> Author:
        login = item.get("username") or item.get("slug") or f"user-{item['id']}"
        return Author(
            id=item["id"],
            login=str(login),
            email=item.get("email") or None,
            display_name=str(item.get("name") or ""),
            first_name=str(item.get("first_name") or ""),
            last_name=str(item.get("last_name") or ""),
        )

    def _taxonomy_terms(self, collection: _Collection, taxonomy: _Type) -> Iterator[Record]:
        # A taxonomy's terms are held until its parents' slugs are known (parents can
        # come after their children in id order).
        items = list(collection.items())
        slugs = {item["id"]: str(item.get("slug") or "") for item in items}
        for item in items:
            term = Term(
                id=item["id"],
                taxonomy=str(item.get("taxonomy") or taxonomy.slug),
                slug=str(item.get("slug") or ""),
                name=str(item.get("name") or ""),
                parent=slugs.get(_int(item.get("parent")), ""),
                description=str(item.get("description") or ""),
                meta=_meta(item.get("meta")),
            )
            if not term.slug:
                continue
            self._terms[(taxonomy.slug, term.id or 0)] = TermRef(
                term.taxonomy, term.slug, term.name
            )
            yield self._out(term)

    def _posts_and_comments(
        self,
        post_collections: list[_Collection],
        comment_collections: list[_Collection],
        types: list[_Type],
    ) -> Iterator[Record]:
        """Every post in id order, each followed by its comments (by id)."""
        taxonomies = {t.slug: t for t in self._taxonomies}
        streams = [
            self._posts_of(collection, post_type, taxonomies)
            for collection, post_type in zip(post_collections, types, strict=True)
        ]
        posts = heapq.merge(*streams, key=lambda post: post.id)
        comments = _Peek(
            heapq.merge(
                *(map(self._comment, c.items()) for c in comment_collections),
                key=lambda comment: comment.post_id,
            )
        )
        held = self._held
        for post in posts:
            while (c := comments.peek()) is not None and c.post_id < post.id:
                held.append(([self._orphan(comments.pop())], None))
            group: list[Comment] = []
            while (c := comments.peek()) is not None and c.post_id == post.id:
                group.append(comments.pop())
            held.append(([post, *sorted(group, key=lambda c: c.id)], self._capture_page(post)))
            yield from self._release(held, 2 * self._http.concurrency - 1)
        while comments.peek() is not None:
            held.append(([self._orphan(comments.pop())], None))
        yield from self._release(held, 0)

    def _release(
        self, held: deque[tuple[list[Record], Future | None]], in_flight: int
    ) -> Iterator[Record]:
        """The held records, oldest first. A post leaves once its page is captured, so it
        knows the capture's record id (`Post.page_record`) for its metadata record to
        refer to; records without a page leave in their turn. The oldest page is waited
        for only when more than ``in_flight`` are pending or too many posts are held."""
        while held:
            records, future = held[0]
            if future is not None and not future.done():
                pending = sum(f is not None for _, f in held)
                if pending <= in_flight and len(held) <= 4 * (in_flight + 1):
                    return
            held.popleft()
            if future is not None:
                post = records[0]
                assert isinstance(post, Post)
                post.page_record = self._page_done(future, post.link)
            for record in records:
                yield self._out(record)

    def _orphan(self, comment: Comment) -> Comment:
        self._orphan_count += 1
        if comment.post_id not in self._orphans:
            self._orphans.append(comment.post_id)
        return comment

    def _posts_of(
        self, collection: _Collection, post_type: _Type, taxonomies: dict[str, _Type]
    ) -> Iterator[Post]:
        fields = [
            (slug, taxonomies[slug].rest_base) for slug in post_type.related if slug in taxonomies
        ]
        for item in collection.items():
            yield self._post(item, post_type.slug, fields)

    def _post(self, item: dict, post_type: str, taxonomy_fields: list[tuple[str, str]]) -> Post:
        post_id = _post_id(item) or 0
        title, title_kind = _text(item.get("title"))
        if title_kind == "rendered":
            title = html.unescape(title)
        if post_type == "attachment":
            content, content_kind = _text(item.get("description"))
            excerpt, _ = _text(item.get("caption"))
        elif post_type == "nav_menu_item":
            content, content_kind = str(item.get("description") or ""), "raw"
            excerpt = str(item.get("attr_title") or "")
        else:
            content, content_kind = _text(item.get("content"))
            excerpt, _ = _text(item.get("excerpt"))
        provenance: dict[str, Any] = {"source": "rest", "content": content_kind}
        if isinstance(item.get("content"), dict) and item["content"].get("protected"):
            provenance["protected"] = True
        author_id = _int(item.get("author"))
        author = self._logins.get(author_id, "") if author_id else ""
        if author_id and not author:
            self._unknown_authors.add(author_id)
            provenance["author_id"] = author_id
        meta = _meta(item.get("meta"))
        terms: list[TermRef] = []
        for taxonomy, rest_base in taxonomy_fields:
            ids = item.get(rest_base)
            for term_id in ids if isinstance(ids, list) else [ids] if ids else []:
                ref = self._terms.get((taxonomy, _int(term_id, -1)))
                if ref is None:
                    self._unknown_terms += 1
                else:
                    terms.append(ref)
        fmt = item.get("format")
        if isinstance(fmt, str) and fmt and fmt != "standard":
            terms.append(TermRef("post_format", f"post-format-{fmt}", fmt.capitalize()))
        featured = _int(item.get("featured_media"))
        if featured:
            meta.setdefault("_thumbnail_id", [str(featured)])
        if isinstance(item.get("template"), str) and item["template"]:
            meta.setdefault("_wp_page_template", [item["template"]])
        parent = _int(item.get("parent"))
        post = Post(
            id=post_id,
            post_type=post_type,
            status=str(item.get("status") or "publish"),
            slug=str(item.get("slug") or ""),
            title=title,
            link=str(item.get("link") or ""),
            guid=_text(item.get("guid"))[0],
            date=item.get("date"),
            date_gmt=item.get("date_gmt"),
            modified=item.get("modified"),
            modified_gmt=item.get("modified_gmt"),
            author=author,
            parent=parent,
            menu_order=_int(item.get("menu_order")),
            sticky=bool(item.get("sticky")),
            comment_status=str(item.get("comment_status") or ""),
            ping_status=str(item.get("ping_status") or ""),
            password=item.get("password") or None,
            terms=terms,
            meta=meta,
            content=Content(content, content),
            excerpt=Content(excerpt, excerpt),
            provenance=provenance,
        )
        if post_type == "attachment":
            post.parent = _int(item.get("post"))
            post.attachment_url = item.get("source_url") or post.guid or None
            details = item.get("media_details")
            if item.get("alt_text"):
                meta.setdefault("_wp_attachment_image_alt", [item["alt_text"]])
            if isinstance(details, dict) and details:
                if details.get("file"):
                    meta.setdefault("_wp_attached_file", [details["file"]])
                meta.setdefault("_wp_attachment_metadata", [details])
        elif post_type == "nav_menu_item":
            post.parent = 0  # WXR keeps a menu item's parent in meta, as WordPress does
            for key, value in (
                ("_menu_item_type", item.get("type")),
                ("_menu_item_menu_item_parent", str(parent)),
                ("_menu_item_object_id", str(_int(item.get("object_id")))),
                ("_menu_item_object", item.get("object")),
                ("_menu_item_target", item.get("target")),
                ("_menu_item_classes", item.get("classes")),
                ("_menu_item_xfn", " ".join(item.get("xfn") or [])),
                ("_menu_item_url", item.get("url")),
            ):
                if value is not None:
                    meta.setdefault(key, [value])
        return post

    def _comment(self, item: dict) -> Comment:
        content, _ = _text(item.get("content"))
        return Comment(
            id=item["id"],
            post_id=_int(item.get("post")),
            parent=_int(item.get("parent")),
            author_name=str(item.get("author_name") or ""),
            author_email=item.get("author_email") or None,
            author_url=str(item.get("author_url") or ""),
            author_ip=item.get("author_ip") or None,
            user_id=_int(item.get("author")),
            date=item.get("date"),
            date_gmt=item.get("date_gmt"),
            status=_COMMENT_STATUS.get(str(item.get("status")), "pending"),
            comment_type=str(item.get("type") or "comment"),
            content=Content(content, content),
            meta=_meta(item.get("meta")),
        )

    # -- permalink pages ------------------------------------------------------------------------

    def _capture_page(self, post: Post) -> Future | None:
        """The page's request, started (`_release` bounds how many run at once)."""
        if (
            not self.capture_pages
            or self._capture_off
            or post.status != "publish"
            or not post.link
            or post.post_type in NO_PAGE_TYPES
        ):
            return None
        self._page_urls.add(post.link)
        return self._http.submit(self._fetch_page, post.link)

    def _fetch_page(self, url: str) -> str | None:
        try:
            response = self._http.get(url, follow="same-host", kind="page")
        except HttpError as exc:
            return f"permalink page not captured: {exc}"
        if response.status != 200:
            return f"permalink page {url} answered HTTP {response.status} (captured as is)"
        return None

    def _page_done(self, future: Future, url: str) -> str:
        """Wait for the page's capture; the record id of its response ("" if none)."""
        problem = future.result()
        if problem:
            self._page_problems.append(problem)
        self._drain()
        recorded = self._page_records.pop(url, "")
        if not recorded and self._http.replay is not None:
            recorded = self._http.replay.kept_record(url)  # a resumed run's kept capture
        return recorded


def _shown(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")


def _id(item: dict) -> int | None:
    value = item.get("id")
    return value if isinstance(value, int) else None


def _by_post(item: dict) -> tuple[int, int]:
    """Comments' order: by post (``orderby=post``), then by id."""
    return _int(item.get("post")), _int(item.get("id"))


def _post_id(item: dict) -> int | None:
    """A post's id; templates stored in the database have a string id and a ``wp_id``
    (theme files have none: they are the theme's, not content)."""
    value = item.get("id")
    if isinstance(value, int):
        return value
    wp_id = item.get("wp_id")
    return wp_id if isinstance(wp_id, int) and wp_id > 0 else None


# When /wp/v2/types or /wp/v2/taxonomies can't be read: what every WordPress has.
_CORE_TYPES: dict[str, Any] = {
    "post": {"slug": "post", "rest_base": "posts", "taxonomies": ["category", "post_tag"]},
    "page": {"slug": "page", "rest_base": "pages", "taxonomies": []},
    "attachment": {"slug": "attachment", "rest_base": "media", "taxonomies": []},
}
_CORE_TAXONOMIES: dict[str, Any] = {
    "category": {"slug": "category", "rest_base": "categories", "types": ["post"]},
    "post_tag": {"slug": "post_tag", "rest_base": "tags", "types": ["post"]},
}


def iter_rest(url: str, **options: Any) -> Iterable[Record]:
    """Stream the records of a live site (no WARC): ``options`` are `ArchiveOptions` fields."""
    from ..pipeline import ArchiveOptions

    return iter(RestSource(url, ArchiveOptions(**options)))
