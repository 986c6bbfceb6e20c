"""The one URL normaliser: how wparchive spells a URL wherever it writes one."""

from __future__ import annotations

import contextlib
import unicodedata
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Characters left as they are: RFC 3986 reserved and unreserved, and '%' so that
# existing escapes are not escaped twice.
_SAFE = "/:@!$&'()*+,;=-._~%"


def to_uri(url: str) -> str:
    """An IRI as a URI: non-ASCII path/query percent-encoded (``café`` → ``caf%C3%A9``),
    a non-ASCII host IDNA-encoded. ASCII URLs come back unchanged."""
    if url.isascii() and " " not in url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, _, hostport = netloc.rpartition("@")
        host, colon, port = hostport.partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:  # not a name IDNA accepts (a damaged byte): kept, escaped
            host = quote(host, safe="")
        netloc = (userinfo + "@" if userinfo else "") + host + colon + port
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_SAFE),
            quote(parts.query, safe=_SAFE + "?"),
            quote(parts.fragment, safe=_SAFE + "?"),
        )
    )


# -- comparing URLs: the keys link rewriting matches a site's own URLs by -------------

# Query parameters that never change what a WordPress URL points to: comment-reply and
# share links (Jetpack, AddToAny), likes, and the crawler traps of the same family.
NOISE_PARAMS = frozenset({"replytocom", "share", "nb", "like_comment", "_wpnonce"})


def unquote_all(text: str, rounds: int = 3) -> str:
    """Percent-decode until stable (at most ``rounds`` times): double-encoded slugs
    (``%25c3%25a1``, complaint 8) decode as far as singly encoded ones (``%c3%a1``)."""
    for _ in range(rounds):
        if "%" not in text:
            break
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    return text


@lru_cache(maxsize=4096)
def host_key(host: str) -> str:
    """A host as link matching compares it: lowercase, Unicode (punycode labels decoded,
    so ``xn---science-7f85g.com`` equals ``🚀-science.com``), without a trailing dot
    or a leading ``www.``."""
    host = host.strip().rstrip(".").lower()
    if "xn--" in host:
        labels = []
        for label in host.split("."):
            if label.startswith("xn--"):
                with contextlib.suppress(UnicodeError, ValueError):
                    label = label[4:].encode("ascii").decode("punycode")
            labels.append(label)
        host = ".".join(labels)
    if not host.isascii():
        host = unicodedata.normalize("NFC", host).lower()
    return host.removeprefix("www.")


def segment_key(segment: str) -> str:
    """A path segment as link matching compares it: fully percent-decoded, NFC, lowercase
    (WordPress slugs are stored encoded, ``%c3%a1``, and compared case-insensitively)."""
    if "%" not in segment and segment.isascii():
        return segment.lower()
    segment = unquote_all(segment)
    if not segment.isascii():
        segment = unicodedata.normalize("NFC", segment)
    return segment.lower()


def drop_noise(query: str) -> str:
    """The query without `NOISE_PARAMS` (``?replytocom=5``, ``?share=twitter``), order kept."""
    if not query:
        return query
    kept = [
        pair
        for pair in query.split("&")
        if pair and unquote(pair.partition("=")[0]).lower() not in NOISE_PARAMS
    ]
    return "&".join(kept)
