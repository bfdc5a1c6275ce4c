from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Optional

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.mixins import SoftDeleteMixin, TimestampMixin

if TYPE_CHECKING:
    from app.models.release import Release


class Episode(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "episodes"
    __table_args__ = (Index("ix_episodes_release_id_number", "release_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[Optional[str]] = mapped_column(String(255))
    duration_seconds: Mapped[Optional[int]]
    air_date: Mapped[Optional[date]] = mapped_column(Date)

    release: Mapped[Release] = relationship(back_populates="episodes")

    def __repr__(self) -> str:
        return f"<Episode {self.release_id}#{self.number}>"
