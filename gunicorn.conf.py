"""gunicorn's configuration for the portal, read from the working directory by
`gunicorn portal.wsgi` (the Dockerfile and docker-compose.yml start it from /app).

gunicorn writes a `Server: gunicorn` header of its own on every response, before the
application's headers, and has no setting to leave it out (benoitc/gunicorn#825); a Django
middleware cannot remove it. The response class is changed here, in the master process, so
every worker forked from it answers without the header.
"""

from gunicorn.http import wsgi

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self: wsgi.Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
