"""Content Server sessions and their tickets: log in by password or OTDS token, rotate the ticket
on every answer, end the session after an idle timeout.

A session outlives any one ticket: every answer carries a fresh ticket and older tickets of a live
session keep working (clients that chain tickets and clients that keep the first one both work, as
with the real server); what ends a session is inactivity.
"""

from __future__ import annotations

import hmac
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.opentext_ecm.config import ContentServerConfig, ContentServerUser
from sandbox.opentext_ecm.errors import SimulatedCsError, authentication_required


@dataclass
class Session:
    id: int
    tenant: ContentServerConfig = field(repr=False)
    user: ContentServerUser = field(repr=False)
    last_seen: float
    ended: bool = False


class TicketIssuer:
    def __init__(self, tenants: list[ContentServerConfig], clock: Callable[[], float]) -> None:
        self._tenants = tenants
        self._clock = clock
        self._sessions: dict[int, Session] = {}
        self._tickets: dict[str, int] = {}  # ticket -> session id
        self.logins: Counter[str] = Counter()  # sessions opened per tenant (tests assert re-logins)

    # -- opening sessions -----------------------------------------------------------------------

    def login(self, username: str | None, password: str | None) -> tuple[Session, str]:
        # The spec documents missing arguments as 500 (the request check answers 400 before that).
        if not username:
            raise SimulatedCsError(500, "Argument username is required")
        if password is None:
            raise SimulatedCsError(500, "Argument password is required")
        for tenant in self._tenants:
            user = tenant.user(username)
            if user is not None and hmac.compare_digest(user.password.get_secret_value(), password):
                return self._open(tenant, user)
        raise SimulatedCsError(401, "Invalid username/password specified.")

    def exchange(self, bearer: str) -> tuple[Session, str]:
        """An OTDS access token for a ticket (pyxecm's `GET /api/v1/auth` with a bearer)."""
        for tenant in self._tenants:
            for grant in tenant.otds_tokens:
                if hmac.compare_digest(grant.token.get_secret_value(), bearer):
                    user = tenant.user(grant.username)
                    assert user is not None  # the config validator guarantees it
                    return self._open(tenant, user)
        raise authentication_required("Invalid or expired OTDS token.")

    def _open(self, tenant: ContentServerConfig, user: ContentServerUser) -> tuple[Session, str]:
        session = Session(id=len(self._sessions) + 1, tenant=tenant, user=user, last_seen=self._clock())
        self._sessions[session.id] = session
        self.logins[tenant.name] += 1
        return session, self._issue(session)

    # -- using sessions -------------------------------------------------------------------------

    def authenticate(self, ticket: str | None) -> Session:
        """The live session of `ticket` (its idle clock restarts), or a 401 like the server's."""
        if not ticket:
            raise authentication_required()
        session_id = self._tickets.get(ticket)
        session = self._sessions.get(session_id) if session_id is not None else None
        if session is None:
            raise authentication_required("Invalid ticket.")
        now = self._clock()
        if session.ended or now - session.last_seen > session.tenant.ticket_idle_timeout_seconds:
            session.ended = True
            raise authentication_required("Your session has expired. Please log in again.")
        session.last_seen = now
        return session

    def rotate(self, session: Session) -> str:
        """A fresh ticket for the session, handed back in the `OTCSTicket` response header."""
        return self._issue(session)

    def expire(self, tenant_name: str | None = None) -> int:
        """End every session (of one tenant), as if the idle timeout had passed; returns how many."""
        ended = 0
        for session in self._sessions.values():
            if not session.ended and (tenant_name is None or session.tenant.name == tenant_name):
                session.ended = True
                ended += 1
        return ended

    def _issue(self, session: Session) -> str:
        ticket = secrets.token_urlsafe(48)
        self._tickets[ticket] = session.id
        return ticket
