"""gunicorn settings for production: `gunicorn -c python:motcua.gunicorn_conf` (`make serve`, docs/deployment.md).

MOTCUA_BIND              where to listen, default 127.0.0.1:8000 (only the proxy on this host reaches it);
                         `unix:/run/motcua/gunicorn.sock` for a socket
WEB_CONCURRENCY          worker processes, default 2
MOTCUA_TRUSTED_PROXIES   comma-separated addresses or networks of the reverse proxies whose X-Forwarded-Proto
                         gunicorn believes (the same setting the site uses for client addresses and HTTPS)
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi as _gunicorn_wsgi

from motcua.common.net import UNIX, parse_trusted

wsgi_app = "motcua.wsgi:application"
bind = [os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gunicorn believes the proxy's X-Forwarded-Proto from these only (it trusts its unix socket by itself)
forwarded_allow_ips = ",".join(
    str(net) for net in parse_trusted(os.environ.get("MOTCUA_TRUSTED_PROXIES", "")) if net != UNIX
)
# the runtime control socket is one more way in; systemd manages the server (restart it after an upgrade)
control_socket_disable = True


def on_starting(server) -> None:
    """The settings refuse production without its secrets (a strong SECRET_KEY, the field keys, REDIS_URL):
    fail here, once, with their message, instead of forking workers that can never boot."""
    from django.core.exceptions import ImproperlyConfigured

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    try:
        from django.conf import settings

        settings.SECRET_KEY  # noqa: B018 — reading a setting loads them all
    except ImproperlyConfigured as exc:
        raise RuntimeError(str(exc)) from None  # gunicorn prints "Error: …" and exits 1


def _default_headers_without_server(response) -> list[str]:
    """gunicorn's own status line and headers, less `Server: gunicorn` (no banner naming the software)."""
    return [line for line in _server_headers(response) if not line.lower().startswith("server:")]


_server_headers = _gunicorn_wsgi.Response.default_headers
_gunicorn_wsgi.Response.default_headers = _default_headers_without_server
