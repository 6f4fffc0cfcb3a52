"""Red-flag handoffs: the kind `red_flag`, and the symptom groups each one was raised for.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('booking', 'question', 'screening')"
KINDS_AFTER = "kind IN ('booking', 'question', 'screening', 'red_flag')"


def upgrade() -> None:
    # SQLite changes a check constraint only by copying the table; batch mode does that
    # there, and plain ALTER TABLE statements on PostgreSQL.
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.add_column(sa.Column("red_flags", sa.String(length=200), nullable=True))
        batch_op.drop_constraint(op.f("ck_handoffs_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_handoffs_kind"), KINDS_AFTER)


def downgrade() -> None:
    # The old schema has no red_flag kind: keep those records as questions for staff
    # (the patient's message is their question) rather than delete them.
    op.execute("UPDATE handoffs SET kind = 'question' WHERE kind = 'red_flag'")
    with op.batch_alter_table("handoffs") as batch_op:
        batch_op.drop_constraint(op.f("ck_handoffs_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_handoffs_kind"), KINDS_BEFORE)
        batch_op.drop_column("red_flags")
