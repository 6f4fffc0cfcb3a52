"""Staff decisions about unanswered messages: assign to an intent, needs a new answer, or ignore.

The text is stored redacted (names, phone numbers, e-mail addresses replaced), so what
becomes training data (`make retrain`) never carries a patient's contact details;
`text_key`, a hash of the original folded text, marks it reviewed in the to-do list.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DECISIONS = ("assign", "new_answer", "ignore")  # bot.db.models.REVIEW_DECISIONS when this was written


def upgrade() -> None:
    op.create_table(
        "unanswered_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("reviewer", sa.String(length=254), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"decision IN ({', '.join(repr(d) for d in DECISIONS)})", name=op.f("ck_unanswered_reviews_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_reviews")),
        sa.UniqueConstraint("text_key", name=op.f("uq_unanswered_reviews_text_key")),
    )
    op.create_index(op.f("ix_unanswered_reviews_batch"), "unanswered_reviews", ["batch"])
    op.create_index(op.f("ix_unanswered_reviews_reviewed_at"), "unanswered_reviews", ["reviewed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_unanswered_reviews_reviewed_at"), table_name="unanswered_reviews")
    op.drop_index(op.f("ix_unanswered_reviews_batch"), table_name="unanswered_reviews")
    op.drop_table("unanswered_reviews")
