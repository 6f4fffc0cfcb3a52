"""Create the SMS channel's tables: opt-outs and menus per phone, inbound messages by MessageSid.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_contacts",
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("opted_out", sa.Boolean(create_constraint=False), server_default=sa.false(), nullable=False),
        sa.Column("opt_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("menu", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_contacts")),
    )
    op.create_table(
        "sms_messages",
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("message_sid", name=op.f("pk_sms_messages")),
    )
    op.create_index(op.f("ix_sms_messages_phone"), "sms_messages", ["phone"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sms_messages_phone"), table_name="sms_messages")
    op.drop_table("sms_messages")
    op.drop_table("sms_contacts")
