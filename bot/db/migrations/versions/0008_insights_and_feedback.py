"""Patient feedback per answer, the weekly digest's sent weeks, and the index Insights reads handoffs by.

- `answer_feedback`: a patient's "was this helpful?" on one answer (a Rasa response
  name) of their own conversation; one row per conversation and answer, so rating the
  same answer again replaces the earlier rating instead of counting twice.
- `weekly_digests`: the weeks whose staff digest went out. The week is the primary key,
  so two staff processes (or one restarted mid-send) cannot both send the same week.
- `ix_handoffs_created_at`: Insights counts handoffs over a period; without it each
  page view scans every handoff ever made.

Indexes on Rasa's `events` table are not made here: that table lives in the tracker
store's database, which may be another database than this one (TRACKER_STORE_URL), and
Alembic never touches it (bot.db.tracker_events); the tracker store creates them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("response", sa.String(length=255), nullable=False),
        sa.Column("helpful", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
        sa.UniqueConstraint("conversation_id", "response", name=op.f("uq_answer_feedback_conversation_id")),
    )
    op.create_index(op.f("ix_answer_feedback_created_at"), "answer_feedback", ["created_at"], unique=False)
    op.create_table(
        "weekly_digests",
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("week", name=op.f("pk_weekly_digests")),
    )
    op.create_index(op.f("ix_handoffs_created_at"), "handoffs", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_handoffs_created_at"), table_name="handoffs")
    op.drop_table("weekly_digests")
    op.drop_index(op.f("ix_answer_feedback_created_at"), table_name="answer_feedback")
    op.drop_table("answer_feedback")
