"""Database access: engine, sessions and the SQLAlchemy models."""
