"""Create the handoffs table.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("contact", sa.String(length=254), nullable=True),
        sa.Column("contact_kind", sa.String(length=8), nullable=True),
        sa.Column("preferred_time", sa.String(length=200), nullable=True),
        sa.Column("concern", sa.String(length=200), nullable=True),
        sa.Column("question", sa.String(length=1000), nullable=True),
        sa.Column("screening_answers", sa.JSON(), nullable=True),
        sa.Column("screening_outcome", sa.String(length=32), nullable=True),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('booking', 'question', 'screening')", name=op.f("ck_handoffs_kind")),
        sa.CheckConstraint("status IN ('new', 'contacted', 'closed')", name=op.f("ck_handoffs_status")),
        sa.CheckConstraint("contact_kind IN ('phone', 'email')", name=op.f("ck_handoffs_contact_kind")),
        sa.CheckConstraint(
            "screening_outcome IN ('candidate', 'not_recommended', 'needs_review')",
            name=op.f("ck_handoffs_screening_outcome"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_handoffs_dedupe_key")),
    )
    op.create_index(op.f("ix_handoffs_sender_id"), "handoffs", ["sender_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_handoffs_sender_id"), table_name="handoffs")
    op.drop_table("handoffs")
