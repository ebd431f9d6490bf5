"""Alembic environment: migrate with the API's own engine, one runner at a time."""

from alembic import context
from sqlalchemy import text

from innovate_api.models import Base

MIGRATION_LOCK_ID = 7_246_001  # pg_advisory_lock key shared by every migration runner

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    connection.commit()
    try:
        context.configure(connection=connection, target_metadata=Base.metadata, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        connection.rollback()  # a failed migration leaves an aborted transaction: report its error, not ours
        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()
