"""The address of the client a request came from, as far as the configured proxies vouch for it.

Each proxy in front of Concord appends the address it received the connection from to
`X-Forwarded-For`; the entries a client sends itself come first. With `TRUSTED_PROXY_COUNT = N`
the socket's peer is the last of N proxies, and the client is the address the first of them saw:
the Nth entry from the right. Entries to the left of it are the client's own words and are never
read. With N = 0 (the default) the header is ignored and the socket's peer is the client.
"""

import ipaddress

from django.conf import settings


def forwarded_client_address(remote_addr: str, forwarded_for: str, trusted_hops: int) -> str:
    """The client's address: the socket's peer, or the one the outermost trusted proxy saw.

    Falls back to the peer when the header is shorter than the configured chain or the entry is
    not an IP address: the request did not come through every proxy, so nothing in it is vouched.
    """
    if trusted_hops <= 0 or not forwarded_for:
        return remote_addr
    hops = [entry.strip() for entry in forwarded_for.split(",")]
    if len(hops) < trusted_hops:
        return remote_addr
    candidate = hops[-trusted_hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_address(request) -> str:
    """The client's address for a Django request (also django-axes' AXES_CLIENT_IP_CALLABLE).

    ClientAddressMiddleware has already put it in REMOTE_ADDR for requests that passed through
    the middleware; the original peer is kept in `concord.peer_addr`.
    """
    meta = request.META
    if "concord.peer_addr" in meta:
        return meta["REMOTE_ADDR"]
    return forwarded_client_address(
        meta.get("REMOTE_ADDR", ""),
        meta.get("HTTP_X_FORWARDED_FOR", ""),
        settings.TRUSTED_PROXY_COUNT,
    )
