"""Fetch a document from a URL (httpx): timeouts, a size limit, a content-type check and
a cap on redirects, each failure a one-line :class:`FetchError` naming the URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import httpx

from corpus.errors import FetchError
from corpus.formats import FORMATS, Format
from corpus.loading import MAX_DOCUMENT_BYTES

TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
USER_AGENT = "article-bot (+https://pypi.org/project/article-bot/)"


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a URL gave: the final address after redirects, its format and its bytes."""

    url: str
    final_url: str
    format: Format
    data: bytes


def check_url(url: str) -> str:
    """The URL, stripped, if it is an http(s) address; else a FetchError."""
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FetchError(f"{url!r} is not an http:// or https:// address")
    return url


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    url = check_url(url)
    try:
        with (
            httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=max_redirects,
                headers={"User-Agent": USER_AGENT, "Accept": _accept()},
                transport=transport,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise FetchError(
                    f"{url}: the server answered {response.status_code} "
                    f"{response.reason_phrase or ''}".rstrip()
                )
            fmt = _format(url, response)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(
                    f"{url}: {_size(int(declared))} is over the {_size(max_bytes)} limit"
                )
            chunks: list[bytes] = []
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received > max_bytes:
                    raise FetchError(f"{url}: more than the {_size(max_bytes)} limit")
                chunks.append(chunk)
            final = str(response.url)
    except httpx.TooManyRedirects:
        raise FetchError(f"{url}: more than {max_redirects} redirects") from None
    except httpx.TimeoutException:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: can't be fetched ({type(exc).__name__}: {exc})") from None
    data = b"".join(chunks)
    if not data.strip():
        raise FetchError(f"{url}: the server sent an empty document")
    return Fetched(url, final, fmt, data)


def _accept() -> str:
    types = [t for fmt in FORMATS.formats for t in fmt.media_types]
    return ", ".join(types) + ";q=0.9, */*;q=0.1"


def _format(url: str, response: httpx.Response) -> Format:
    """The format the Content-Type names; a generic binary type falls back to the suffix."""
    media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    fmt = FORMATS.for_media_type(media_type)
    if fmt is None and media_type in ("", "application/octet-stream", "binary/octet-stream"):
        path = urlparse(str(response.url)).path
        fmt = FORMATS.for_suffix("." + path.rsplit(".", 1)[-1]) if "." in path else None
    if fmt is None:
        shown = media_type or "no content type"
        raise FetchError(
            f"{url}: the server sent {shown}, not a document article-bot reads "
            "(a web page, text, PDF or Word file)"
        )
    return fmt


def _size(n: int) -> str:
    return f"{n / 1_048_576:.0f} MiB" if n >= 1_048_576 else f"{n:,} bytes"
