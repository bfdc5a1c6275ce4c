import sqlalchemy as sa

from app.models.base import Base


class AuditLog(Base):
    """Append-only record of admin actions (role grants, bans, catalogue edits)."""

    __tablename__ = "audit_logs"
    __table_args__ = (sa.Index("ix_audit_logs_entity_type_entity_id", "entity_type", "entity_id"),)

    id = sa.Column(sa.Integer, primary_key=True)
    # Kept when the acting user is deleted: the log must survive its author.
    user_id = sa.Column(
        sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    action = sa.Column(sa.String(100), nullable=False, index=True)
    entity_type = sa.Column(sa.String(50), nullable=False)
    entity_id = sa.Column(sa.String(64))
    details = sa.Column(sa.JSON)
    ip_address = sa.Column(sa.String(45))
    created_at = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), index=True
    )

    def __repr__(self):
        return f"<AuditLog {self.id} {self.action}>"
