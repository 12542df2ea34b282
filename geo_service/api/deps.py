"""Request dependencies: the database session."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker


def get_session(request: Request) -> Iterator[Session]:
    """A session per request, committed when the handler returns without error."""
    factory: sessionmaker[Session] = request.app.state.sessions
    with factory() as session:
        yield session
        session.commit()
