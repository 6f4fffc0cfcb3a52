"""Texts staff send through Twilio's Messages API, and their delivery status (issue 19).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_outbound",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbound")),
        sa.UniqueConstraint("sid", name=op.f("uq_sms_outbound_sid")),
    )
    op.create_index(op.f("ix_sms_outbound_conversation_id"), "sms_outbound", ["conversation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sms_outbound_conversation_id"), table_name="sms_outbound")
    op.drop_table("sms_outbound")
