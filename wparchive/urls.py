"""The one URL normaliser: how wparchive spells a URL wherever it writes one."""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

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
        netloc = (userinfo + "@" if userinfo else "") + host.encode("idna").decode("ascii")
        netloc += colon + port
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_SAFE),
            quote(parts.query, safe=_SAFE + "?"),
            quote(parts.fragment, safe=_SAFE + "?"),
        )
    )
