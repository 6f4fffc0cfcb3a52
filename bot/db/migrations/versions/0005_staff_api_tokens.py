"""Named, revocable staff API tokens, stored only as SHA-256 hashes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "staff_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_api_tokens_token_hash")),
    )
    # One live token per name; revoked ones keep theirs, so a name can be issued again.
    op.create_index(
        "uq_staff_api_tokens_live_name", "staff_api_tokens", ["name"], unique=True,
        sqlite_where=LIVE, postgresql_where=LIVE,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("uq_staff_api_tokens_live_name", table_name="staff_api_tokens")
    op.drop_table("staff_api_tokens")
