"""Fetch one web page or feed over HTTP(S), refusing what a newsroom tool must not fetch.

An address given by a user, or found in a feed, is untrusted: it may name the machine
itself, a router's admin page or a cloud metadata service, redirect there, never answer,
or stream gigabytes.  So every fetch here has a deadline, a size limit, a redirect limit
and a list of acceptable content types; and every host, the first and each one
redirected to, is resolved once and refused when any of its addresses is not a public
one (loopback, private, link-local, reserved...) unless ``allow_private`` says
otherwise (tests serve fixtures on loopback).  The connection goes to the very address
that was checked, so a name that resolves differently a moment later (DNS rebinding)
cannot slip past the check.  Only ``http`` and ``https``; no cookies, no compression.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from assistant.errors import FetchError

USER_AGENT = "Newsdesk/0.1 (offline news question answering; one page per request)"
READ_BLOCK = 1 << 16
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Fetched:
    """A page: the address asked for, the one that answered (after redirects), its media type
    (lower-case, no parameters), its charset when stated, its bytes, and when it was fetched
    (ISO 8601, UTC)."""

    url: str
    final_url: str
    media_type: str
    charset: str
    data: bytes
    fetched: str

    def text(self) -> str:
        """The body decoded: the charset the server stated, else an HTML page's own
        ``<meta charset>``, else UTF-8.  Raises ``FetchError`` when the bytes do not decode."""
        charset = self.charset
        if not charset and self.media_type in ("text/html", "application/xhtml+xml"):
            found = _CHARSET.search(self.data[:4096])
            charset = found.group(1).decode("ascii") if found else ""
        charset = charset or "utf-8"
        try:
            return self.data.decode(charset)
        except LookupError:
            raise FetchError(f"{self.final_url} declares an unknown character set {charset!r}") from None
        except UnicodeDecodeError as error:
            raise FetchError(f"{self.final_url} is not valid {charset} (byte offset {error.start})") from None


def fetch(
    url: str,
    *,
    accept: tuple[str, ...],
    max_bytes: int,
    timeout: float = 10.0,
    max_redirects: int = 5,
    allow_private: bool = False,
) -> Fetched:
    """GET ``url``, following at most ``max_redirects`` redirects, within ``timeout`` seconds in
    all; the answer must be 200, one of the media types in ``accept`` and at most
    ``max_bytes`` long.  Raises ``FetchError`` saying which rule failed."""
    deadline = time.monotonic() + timeout
    current = url
    for _ in range(max_redirects + 1):
        response, connection = _request(current, accept, deadline, allow_private)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{current} redirects ({response.status}) without saying where")
                current = urljoin(current, location.strip())
                continue
            if response.status != 200:
                message = f"{current} answered {response.status} {response.reason}".rstrip()
                raise FetchError(message, transient=response.status >= 500 or response.status == 429)
            media_type, charset = _content_type(response.getheader("Content-Type", ""))
            if media_type not in accept:
                shown = media_type or "no content type"
                raise FetchError(f"{current} is {shown}, not one of {', '.join(accept)}")
            encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
            if encoding != "identity":
                raise FetchError(f"{current} is sent {encoding}-encoded, which was not asked for")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{current} is {int(length):,} bytes, over the limit of {max_bytes:,}")
            data = _body(response, current, max_bytes, deadline, timeout)
            fetched = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            return Fetched(url, current, media_type, charset, data, fetched)
        finally:
            connection.close()
    raise FetchError(f"{url} redirects more than {max_redirects} times; giving up")


def check_address(url: str, allow_private: bool) -> tuple[str, int, str]:
    """``url``'s host, port and the address to connect to; raises ``FetchError`` for another
    scheme, a host that does not resolve, or (unless ``allow_private``) one that resolves to
    any address that is not public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"cannot fetch {url!r}: only http and https addresses can be added")
    host = parts.hostname
    if not host:
        raise FetchError(f"cannot fetch {url!r}: it names no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except ValueError:
        raise FetchError(f"cannot fetch {url!r}: its port is not a number from 0 to 65535") from None
    except OSError as error:
        message = f"cannot fetch {url}: {host} does not resolve ({error.strerror or error})"
        raise FetchError(message, transient=True) from None
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if ip.version == 6 and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            if not ip.is_global:
                raise FetchError(
                    f"cannot fetch {url}: {host} is {ip}, a private, loopback or reserved address; "
                    "allow it with --allow-private (or the allow_private setting)"
                )
    return host, port, addresses[0]


class _Pinned(http.client.HTTPConnection):
    """A connection to one checked address, whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def _socket(self) -> socket.socket:
        return socket.create_connection((self._address, self.port), self.timeout)

    def connect(self) -> None:
        self.sock = self._socket()


class _PinnedTls(_Pinned, http.client.HTTPSConnection):
    """The same, with TLS verified against the host name (SNI), not the address."""

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._socket(), server_hostname=self.host)


def _request(url: str, accept: tuple[str, ...], deadline: float, allow_private: bool):
    host, port, address = check_address(url, allow_private)
    parts = urlsplit(url)
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"cannot fetch {url}: out of time before connecting", transient=True)
    kind = _PinnedTls if parts.scheme == "https" else _Pinned
    connection = kind(host, port, address, left)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        headers = {"User-Agent": USER_AGENT, "Accept": ", ".join(accept), "Accept-Encoding": "identity"}
        connection.request("GET", target, headers=headers)
        return connection.getresponse(), connection
    except TimeoutError:
        connection.close()
        raise FetchError(f"cannot fetch {url}: no answer within the time limit", transient=True) from None
    except ssl.SSLCertVerificationError as error:  # the site's certificate: no retry will change it soon
        connection.close()
        raise FetchError(f"cannot fetch {url}: {error}") from None
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise FetchError(f"cannot fetch {url}: {error}", transient=True) from None


def _body(response, url: str, max_bytes: int, deadline: float, timeout: float) -> bytes:
    parts: list[bytes] = []
    size = 0
    try:
        while block := response.read1(READ_BLOCK):
            size += len(block)
            if size > max_bytes:
                raise FetchError(f"{url} is over the limit of {max_bytes:,} bytes; stopped reading")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took longer than {timeout:g} s to send; stopped reading", transient=True)
            parts.append(block)
    except TimeoutError:
        raise FetchError(f"{url} stopped sending within the time limit", transient=True) from None
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(f"{url} broke off: {error}", transient=True) from None
    return b"".join(parts)


def _content_type(header: str) -> tuple[str, str]:
    media_type, _, params = header.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("'\"")
    return media_type.strip().lower(), charset
