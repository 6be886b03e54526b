"""Pages kept rendered in Redis and served again while nothing they were made from has changed.

A signed-in person who opens the same page twice (their children, the station's day, a
dashboard) gets the second copy without the view, its queries or its templates running, as
long as:

- the request is the same: method GET, host, scheme, path and query string, every cookie (so
  the session, the CSRF token, the language and elder-mode choices) and the Accept and
  Accept-Language headers, on the same Beijing date;
- every database table the page read is unchanged. PostgreSQL tells us: a statement trigger
  on every table (installed after each `migrate`) sends a NOTIFY when a statement writes to
  it, delivered only when its transaction commits; a thread in each web process LISTENs and
  bumps that table's generation in Redis. Writes by the portal, Celery, the admin, a
  management command or raw SQL are all seen. A request of the portal that writes (a POST)
  also bumps the tables it wrote before its response leaves, so the page it redirects to
  never waits for the notification;
- every cache entry the page read is unchanged, byte for byte: the session (so a sign-out, a
  changed password or a new role ends the copy), the signed-in user, their roles and unread
  count, a dashboard's figures;
- it is younger than settings.PAGE_CACHE_SECONDS (a page may mention the time of day).

A page is kept (compressed) only when making it changed nothing: no SQL but SELECT (a row
locked, a log written), no cache counter bumped, no cookie set (a message shown, a session
saved), a 200 HTML response without `Cache-Control: no-store`. The one exception is a write
the code marks with `repeated_on_hit` (the care registry's access log): the copy is kept and
the write is made again each time the copy is served. A process whose LISTEN connection is
not up neither serves nor keeps copies, and each (re)connection moves every generation on
(writes while nobody listened may have been missed); so does Redis losing the generations.

On by default in production (settings.PAGE_CACHE); off in tests unless a test turns it on,
since a test's transaction never commits and so never notifies.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import os
import pickle
import re
import secrets
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CHANNEL = "portal_table_changed"  # also spelled out in TRIGGER_SQL
EPOCH = "*epoch*"  # a field of the generations hash every page depends on
HIT_HEADER = "X-Page-Cache"
_MISSING = b"\x00missing"
_SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/accounts/", "/healthz/", "/api/")
_MAX_BYTES = 512 * 1024
_WORD = re.compile(r"[a-z_][a-z0-9_]*")
# SQL that is not a plain read: a row lock, a sequence, an advisory lock, a setting changed.
_NOT_A_READ = re.compile(
    r"\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b|NEXTVAL\(|PG_ADVISORY|SET_CONFIG\("
)

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION portal_table_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE root name;
BEGIN
    PERFORM pg_notify('portal_table_changed', TG_TABLE_NAME);
    -- a statement on one partition also changes what a read of the partitioned table sees
    SELECT c.relname INTO root FROM pg_class c WHERE c.oid = pg_partition_root(TG_RELID);
    IF root IS NOT NULL AND root <> TG_TABLE_NAME THEN
        PERFORM pg_notify('portal_table_changed', root);
    END IF;
    RETURN NULL;
END $$;
DO $$
DECLARE t record;
BEGIN
    FOR t IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
          AND NOT EXISTS (
              SELECT 1 FROM pg_trigger g
              WHERE g.tgrelid = c.oid AND g.tgname = 'portal_table_changed')
    LOOP
        EXECUTE format(
            'CREATE TRIGGER portal_table_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
            'ON %I FOR EACH STATEMENT EXECUTE FUNCTION portal_table_changed()', t.relname);
    END LOOP;
END $$;
"""


def install_change_triggers(sender: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: every table of the schema notifies CHANNEL when a statement writes to it
    (tables created by later migrations get theirs after that `migrate`)."""
    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is not None and with_models and sender.label != with_models[-1].label:
        return  # post_migrate comes once per app: install once, after the last
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(TRIGGER_SQL)


# --- The cache: one Redis client per pool, and the reads a page makes recorded ---------------


@dataclass
class Recording:
    """What rendering one page read: tables (from its SQL) and cache entries (raw bytes)."""

    generations: dict[bytes, bytes]
    tables: set[str] = field(default_factory=set)
    cache_reads: dict[str, bytes] = field(default_factory=dict)
    changed_something: bool = False
    effects: list[tuple[str, dict]] = field(default_factory=list)
    in_effect: bool = False

    def read_cache(self, key: str, raw: bytes | None) -> None:
        self.cache_reads.setdefault(key, _MISSING if raw is None else raw)

    def sql(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.in_effect:
            return execute(sql, params, many, context)
        statement = sql.lstrip().upper()
        if not statement.startswith("SELECT") or _NOT_A_READ.search(statement):
            self.changed_something = True
        relations = _relations()
        for word in _WORD.findall(sql.lower()):
            if word in relations.tables:
                self.tables.add(word)
            elif word in relations.views:
                self.changed_something = True  # a view's own generation never moves: not kept
        return execute(sql, params, many, context)


_recording: contextvars.ContextVar[Recording | None] = contextvars.ContextVar(
    "page_recording", default=None
)


_WRITTEN = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+\"?([a-z_][a-z0-9_]*)", re.I
)


@dataclass
class Writes:
    """The tables a POST (or other non-GET) request wrote to, from its SQL, and the Redis work
    it asked to go in the same round trip as their generations (in_closing_round_trip)."""

    tables: set[str] = field(default_factory=set)
    closing: list[tuple[Callable[[Any], None], Callable[[list | None], None]]] = field(
        default_factory=list
    )

    def sql(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.tables.update(name.lower() for name in _WRITTEN.findall(sql))
        return execute(sql, params, many, context)


_writes: contextvars.ContextVar[Writes | None] = contextvars.ContextVar("page_writes", default=None)


def wrote(*tables: str) -> None:
    """The tables a write wrote that its SQL does not name (a call of a database function such
    as childcare_book): they move on before the response leaves, as if the SQL named them."""
    writes = _writes.get()
    if writes is not None:
        writes.tables.update(tables)


def in_closing_round_trip(add: Callable[[Any], None], then: Callable[[list | None], None]) -> bool:
    """In a write request with no transaction open (what it wrote is committed): `add(pipe)`
    puts Redis commands into the request's last round trip, the one that moves the written
    tables' generations on before the response leaves, and `then(replies)` gets their
    replies (None if Redis failed). Returns False, doing nothing, anywhere else (a GET, a
    task, the page cache off, a transaction open): the caller talks to the cache itself.

    A booking uses it: forgetting the unread count and marking a mail run queued cost no
    round trip of their own (portal.notifications.services.notifications_written)."""
    writes = _writes.get()
    if writes is None or any(c.in_atomic_block for c in connections.all()):
        return False
    writes.closing.append((add, then))
    return True


@contextmanager
def _watching(var: contextvars.ContextVar, value: Any, wrapper: Callable) -> Iterator[None]:
    """Inside: `value` is the request's `var`, and every query on every connection passes
    through `wrapper` (how a page being recorded, or a write, sees its SQL)."""
    token = var.set(value)
    try:
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(wrapper))
            yield
    finally:
        var.reset(token)


@contextmanager
def repeated_on_hit(function: str, **kwargs: Any) -> Iterator[None]:
    """Marks the write inside as the page's one side effect, which a kept copy repeats:
    serving the page again calls `function(**kwargs)` (a dotted path, with plain values), so
    an access log still gets its rows for every view. The write neither stops the page being
    kept nor becomes something the page depends on."""
    recording = _recording.get()
    if recording is None:
        yield
        return
    recording.effects.append((function, kwargs))
    recording.in_effect = True
    try:
        yield
    finally:
        recording.in_effect = False


class RecordingRedisClient(RedisCacheClient):
    """Django's Redis client, keeping one redis.Redis per pool (Django builds a new one, with
    its table of ~170 response callbacks, for every call) and telling a page being recorded
    what it read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def get(self, key: str, default: Any) -> Any:
        raw = self.get_client(key).get(key)
        if (recording := _recording.get()) is not None:
            recording.read_cache(key, raw)
        return default if raw is None else self._serializer.loads(raw)

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        raws = self.get_client(None).mget(keys) if keys else []
        if (recording := _recording.get()) is not None:
            for key, raw in zip(keys, raws, strict=True):
                recording.read_cache(key, raw)
        return {
            key: self._serializer.loads(raw)
            for key, raw in zip(keys, raws, strict=True)
            if raw is not None
        }

    def has_key(self, key: str) -> bool:
        if _recording.get() is not None:
            return self.get(key, None) is not None
        return super().has_key(key)

    def add(self, key: str, value: Any, timeout: Any) -> bool:
        self._changes_something()
        return super().add(key, value, timeout)

    def incr(self, key: str, delta: int) -> int:
        self._changes_something()
        return super().incr(key, delta)

    def _changes_something(self) -> None:
        if (recording := _recording.get()) is not None:
            recording.changed_something = True


class PortalRedisCache(RedisCache):
    """settings.CACHES backend for Redis: Django's RedisCache with RecordingRedisClient."""

    def __init__(self, server: str, params: dict) -> None:
        super().__init__(server, params)
        self._class = RecordingRedisClient


@dataclass(frozen=True)
class Relations:
    tables: frozenset[str]
    views: frozenset[str]


_relations_found: Relations | None = None


def _relations() -> Relations:
    """The schema's tables and views, read by the listener when it connects."""
    return _relations_found or Relations(frozenset(), frozenset())


RELATIONS_SQL = """
SELECT c.relname, c.relkind IN ('r', 'p') FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
"""


# --- Table generations: LISTEN in each web process, bump in Redis -----------------------------


def _redis() -> Any:
    return cache._cache.get_client(write=True)


def generations_key() -> str:
    return cache.make_key("pagecache:generations")


def _connect() -> psycopg.Connection:
    """A connection of the listener's own, outside Django's (it lives in another thread)."""
    return psycopg.connect(**connections["default"].get_connection_params(), autocommit=True)


# The PostgreSQL advisory lock held by the one process that listens for all (TableChanges).
LISTENER_LOCK = 0x706167656361  # "pageca"


class TableChanges:
    """A thread that LISTENs for the triggers' notifications and bumps each table's
    generation; `ready` while its connection is up.

    Every web process runs one, but only one of them at a time listens for all: the one
    holding the advisory lock LISTENER_LOCK, taken once its LISTEN is in place. So each
    commit's notifications wake one PostgreSQL backend and cost one Redis round trip, not
    one per web process of every host. The others wait on the lock (`ready` meanwhile: the
    lock is held only by a listener that is listening), and the first to get it, when the
    listening process ends or its connection does, takes over, moving every generation on
    as any listener does when it connects (writes may have come in between)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.ready = threading.Event()
        self.leading = False
        self.stopping = False
        self.backend_pid: int | None = None
        self.thread = threading.Thread(target=self._run, name="pagecache-listen", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping:
            try:
                self._listen()
            except (psycopg.OperationalError, RedisError) as exc:
                if not self.stopping:  # (PostgreSQL or Redis restarting: no bug to trace)
                    logger.warning("page cache: listener: %s; reconnecting", exc)
            except Exception:
                if not self.stopping:
                    logger.exception("page cache: the LISTEN connection failed; reconnecting")
            finally:
                self.ready.clear()
                self.leading = False
            if not self.stopping:
                time.sleep(1)

    def _listen(self) -> None:
        global _relations_found
        with _connect() as conn:
            self.backend_pid = conn.info.backend_pid
            # The wait for the lock lasts as long as the listening process: no time limit
            # a server or role may set applies to it.
            conn.execute("SET statement_timeout = 0")
            conn.execute("SET lock_timeout = 0")
            rows = conn.execute(RELATIONS_SQL).fetchall()
            _relations_found = Relations(
                tables=frozenset(name for name, is_table in rows if is_table),
                views=frozenset(name for name, is_table in rows if not is_table),
            )
            conn.execute(f"LISTEN {CHANNEL}")
            (leading,) = conn.execute("SELECT pg_try_advisory_lock(%s)", [LISTENER_LOCK]).fetchone()
            if not leading:
                # Another process listens for all: wait until it stops doing so.
                conn.execute(f"UNLISTEN {CHANNEL}")
                self.ready.set()
                conn.execute("SELECT pg_advisory_lock(%s)", [LISTENER_LOCK])
                conn.execute(f"LISTEN {CHANNEL}")
            if enabled():
                new_epoch()
            self.leading = True
            self.ready.set()
            while True:
                # A commit's notifications come in one packet, and under load several
                # commits' do: each table they name moves on once, in one round trip.
                tables = {notice.payload for notice in conn.notifies(stop_after=1)}
                tables.update(notice.payload for notice in conn.notifies(timeout=0))
                self.changed(tables)

    def stop(self) -> None:
        """End the thread (the server closes its connection): for tests."""
        self.stopping = True
        if self.thread.is_alive():
            with _connect() as conn:
                conn.execute("SELECT pg_terminate_backend(%s)", [self.backend_pid])
            self.thread.join(10)

    def changed(self, tables: set[str]) -> None:
        if enabled():  # (a test may have switched the Redis cache off meanwhile)
            pipe = _redis().pipeline(transaction=False)
            for table in tables:
                pipe.hincrby(generations_key(), table, 1)
            pipe.execute()


def new_epoch() -> None:
    """Moves every generation on at once: every kept page was made in an earlier epoch. The
    epoch starts at a random number, so that if Redis loses the generations (evicted,
    flushed) a new count cannot meet an old page's by chance."""
    client = _redis()
    client.hsetnx(generations_key(), EPOCH, secrets.randbits(62))
    client.hincrby(generations_key(), EPOCH, 1)


_changes: TableChanges | None = None
_changes_lock = threading.Lock()


def table_changes() -> TableChanges:
    """This process's listener (a forked worker starts its own)."""
    global _changes
    with _changes_lock:
        if _changes is None or _changes.pid != os.getpid():
            _changes = TableChanges()
        return _changes


# --- The middleware ---------------------------------------------------------------------------


def _digest(values: Iterable[bytes | None]) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    for value in values:
        value = _MISSING if value is None else value
        digest.update(len(value).to_bytes(8, "big"))
        digest.update(value)
    return digest.digest()


@dataclass
class Page:
    status: int
    headers: list[tuple[str, str]]
    content: bytes  # zlib-compressed (HTML shrinks about five times)
    cache_keys: list[str]
    tables: list[str]
    digest: bytes
    effects: list[tuple[str, dict]]

    def still_current(self, client: Any) -> bool:
        pipe = client.pipeline(transaction=False)
        if self.cache_keys:
            pipe.mget(self.cache_keys)
        pipe.hmget(generations_key(), self.tables)
        results = pipe.execute()
        values = [*(results[0] if self.cache_keys else []), *results[-1]]
        return _digest(values) == self.digest

    def response(self) -> HttpResponse:
        for function, kwargs in self.effects:
            import_string(function)(**kwargs)
        response = HttpResponse(zlib.decompress(self.content), status=self.status)
        for name, value in self.headers:
            response[name] = value
        response[HIT_HEADER] = "hit"
        return response


def page_key(request: HttpRequest) -> str:
    meta = request.META
    parts = [
        request.method,
        "https" if request.is_secure() else "http",
        meta.get("HTTP_HOST", ""),
        request.path_info,
        meta.get("QUERY_STRING", ""),
        meta.get("HTTP_COOKIE", ""),
        meta.get("HTTP_ACCEPT", ""),
        meta.get("HTTP_ACCEPT_LANGUAGE", ""),
        meta.get("HTTP_HX_REQUEST", ""),
        timezone.localdate().isoformat(),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return cache.make_key(f"pagecache:page:{digest}")


def _only_renews_csrf_cookie(request: HttpRequest, response: HttpResponse) -> bool:
    """No cookie set, or only the CSRF cookie with the value the browser sent (Django sends it
    again with every page that holds a form, to renew its expiry)."""
    name = settings.CSRF_COOKIE_NAME
    if not response.cookies:
        return True
    return set(response.cookies) == {name} and response.cookies[name].value == request.COOKIES.get(
        name
    )


def _keepable(request: HttpRequest, response: HttpResponse, recording: Recording) -> bool:
    return (
        not recording.changed_something
        and response.status_code == 200
        and not response.streaming
        and _only_renews_csrf_cookie(request, response)
        and response.get("Content-Type", "").startswith("text/html")
        and "no-store" not in response.get("Cache-Control", "")
        and len(response.content) <= _MAX_BYTES
    )


def enabled() -> bool:
    """settings.PAGE_CACHE, with the cache on Redis through PortalRedisCache."""
    return settings.PAGE_CACHE and isinstance(caches["default"], PortalRedisCache)


class PageCacheMiddleware:
    """Serves a kept page when it is still current; otherwise renders it, recording what it
    reads, and keeps it when it may. Sits after the request id and health check and before
    everything else, so a kept page skips the rest of the middleware as well (the headers
    those add are kept with it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return self.get_response(request)
        if request.method != "GET":
            return self._write(request)
        if (
            settings.SESSION_COOKIE_NAME not in request.COOKIES  # signed-in pages only
            or request.path_info.startswith(_SKIPPED_PREFIXES)
            or not table_changes().ready.is_set()
        ):
            return self.get_response(request)
        client = _redis()
        key = page_key(request)
        try:
            kept = client.get(key)
            if kept is not None:
                page = pickle.loads(kept)  # noqa: S301 -- written here, as Django's cache does
                if page.still_current(client):
                    return page.response()
            generations = client.hgetall(generations_key())
        except RedisError:
            logger.exception("page cache: Redis failed; rendering the page")
            return self.get_response(request)
        if EPOCH.encode() not in generations:  # the generations were lost: a new epoch
            new_epoch()
            return self.get_response(request)
        recording = Recording(generations=generations)
        with _watching(_recording, recording, recording.sql):
            response = self.get_response(request)
        if _keepable(request, response, recording) and table_changes().ready.is_set():
            try:
                self._keep(client, key, response, recording)
            except RedisError:
                logger.exception("page cache: Redis failed; the page is not kept")
        return response

    def _write(self, request: HttpRequest) -> HttpResponse:
        """A request that may write: the generations of the tables it wrote move on before
        its response leaves, so the page its redirect leads to is made afresh (the NOTIFY
        arrives a moment later, and is what catches every other writer)."""
        writes = Writes()
        with _watching(_writes, writes, writes.sql):
            response = self.get_response(request)
        committed = not any(c.in_atomic_block for c in connections.all())
        tables = writes.tables if committed else set()
        if tables or writes.closing:
            self._closing_round_trip(tables, writes.closing)
        return response

    def _closing_round_trip(self, tables: set[str], closing: list) -> None:
        """One pipeline: the tables' generations, then each in_closing_round_trip's commands,
        whose replies go to its `then` (None for all if Redis failed)."""
        pipe = _redis().pipeline(transaction=False)
        for table in tables:
            pipe.hincrby(generations_key(), table, 1)
        spans = []
        for add, then in closing:
            start = len(pipe)
            add(pipe)
            spans.append((then, start, len(pipe)))
        try:
            replies = pipe.execute()
        except RedisError:
            logger.exception("page cache: Redis failed; the NOTIFY will move the tables on")
            replies = None
        for then, start, end in spans:
            then(None if replies is None else replies[start:end])

    def _keep(self, client: Any, key: str, response: HttpResponse, recording: Recording) -> None:
        tables = [EPOCH, *sorted(recording.tables)]
        cache_keys = list(recording.cache_reads)
        values = [
            *recording.cache_reads.values(),
            *(recording.generations.get(table.encode()) for table in tables),
        ]
        page = Page(
            status=response.status_code,
            headers=[(k, v) for k, v in response.items() if k.lower() != "set-cookie"],
            content=zlib.compress(response.content, 1),
            cache_keys=cache_keys,
            tables=tables,
            digest=_digest(values),
            effects=recording.effects,
        )
        client.set(key, pickle.dumps(page, pickle.HIGHEST_PROTOCOL), ex=settings.PAGE_CACHE_SECONDS)
