"""Reads that may lag go to the streaming replica; everything else stays on the primary.

DATABASES["replica"] exists when DATABASE_REPLICA_URL is set (README "Production"). Only reads
made inside a `replica_reads()` block go there: the pages named in DATABASE_REPLICA_VIEWS (the
dashboard and the exports, ReplicaReadsMiddleware), the Celery tasks named in
DATABASE_REPLICA_TASKS (ledger_site.celery) and `ledger_report`. Everything else — every write,
every read outside such a block, every migration — is the primary's ("default").

Reads that must see a write stay on the primary:
- a block that has written reads from the primary for the rest of the block;
- a signed-in user whose last write (any unsafe request of theirs) is less than REPLICA_MAX_LAG
  seconds old reads from the primary (ReplicaReadsMiddleware keeps the time in the session).

A replica that does not answer is left alone for REPLICA_RETRY_SECONDS: its reads go to the
primary meanwhile (a dashboard slower, not broken).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import Error as DatabaseError
from django.http import FileResponse, HttpRequest, HttpResponse

REPLICA = "replica"
WROTE_AT_KEY = "_ledger_wrote_at"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

logger = logging.getLogger(__name__)


@dataclass
class _Block:
    """One replica_reads() block: whether it has written (its later reads need the primary)."""

    wrote: bool = False


_block: ContextVar[_Block | None] = ContextVar("ledger_replica_block", default=None)
_pinned: ContextVar[bool] = ContextVar("ledger_replica_pinned", default=False)
_down_until = 0.0


def replica_configured() -> bool:
    """Whether reads may go to a replica at all (an alias and the switch)."""
    return REPLICA in settings.DATABASES and getattr(settings, "DATABASE_REPLICA_READS", False)


@contextmanager
def replica_reads(*, enabled: bool = True) -> Iterator[None]:
    """Send the reads made inside the block to the replica (when one is configured)."""
    token = _block.set(_Block() if enabled else None)
    try:
        yield
    finally:
        _block.reset(token)


@contextmanager
def primary_reads(pinned: bool = True) -> Iterator[None]:
    """Keep every read inside the block on the primary (a user who has just written)."""
    token = _pinned.set(pinned)
    try:
        yield
    finally:
        _pinned.reset(token)


def reads_from_replica(function: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the function's reads go to the replica (a report, a task)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return function(*args, **kwargs)

    return wrapper


def _replica_answers() -> bool:
    """Whether the replica can be used now; one that failed is retried after a while."""
    global _down_until
    now = time.monotonic()
    if now < _down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as error:
        _down_until = now + getattr(settings, "REPLICA_RETRY_SECONDS", 30)
        logger.warning("The read replica does not answer; reading from the primary: %s", error)
        return False
    return True


def read_alias() -> str:
    """The alias the reads made here go to."""
    block = _block.get()
    if block is None or block.wrote or _pinned.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    return REPLICA if _replica_answers() else DEFAULT_DB_ALIAS


class PrimaryReplicaRouter:
    """Writes and migrations on the primary; reads by read_alias()."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if REPLICA not in settings.DATABASES:
            return None  # a single database: Django's own choice, unchanged
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        block = _block.get()
        if block is not None:
            block.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Route the pages of DATABASE_REPLICA_VIEWS to the replica, unless their user has just
    written: an unsafe request of a signed-in user notes the time in the session, and for
    REPLICA_MAX_LAG seconds after it their pages read from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        session = getattr(request, "session", None)
        wrote_at = session.get(WROTE_AT_KEY) if session is not None else None
        recent = isinstance(wrote_at, int | float) and (
            time.time() - wrote_at < getattr(settings, "REPLICA_MAX_LAG", 10)
        )
        pinned_token = _pinned.set(recent)
        block_token = _block.set(None)
        try:
            response = self.get_response(request)
        finally:
            _block.reset(block_token)
            _pinned.reset(pinned_token)
        if (
            getattr(request, "_ledger_replica_reads", False)
            and response.streaming
            and not isinstance(response, FileResponse)  # a file: no more queries
        ):
            response.streaming_content = _on_replica(response.streaming_content, pinned=recent)
        user = getattr(request, "user", None)
        if (
            request.method not in SAFE_METHODS
            and session is not None
            and user is not None
            and user.is_authenticated
        ):
            session[WROTE_AT_KEY] = time.time()
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """Open a replica block for the view (closed by __call__ when the response is made)."""
        if not replica_configured() or request.method not in SAFE_METHODS:
            return
        match = request.resolver_match
        if match is not None and match.view_name in settings.DATABASE_REPLICA_VIEWS:
            _block.set(_Block())
            request._ledger_replica_reads = True  # type: ignore[attr-defined]


def _on_replica(content: Iterator[bytes], *, pinned: bool) -> Iterator[bytes]:
    """A streamed body's chunks, each made inside a replica block (they may still query)."""
    chunks = iter(content)
    while True:
        with replica_reads(), primary_reads(pinned):
            try:
                chunk = next(chunks)
            except StopIteration:
                return
        yield chunk
