from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.mixins import SoftDeleteMixin, TimestampMixin

if TYPE_CHECKING:
    from app.models.release import Release


class Anime(TimestampMixin, SoftDeleteMixin, Base):
    __tablename__ = "anime"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255), index=True)
    original_title: Mapped[Optional[str]] = mapped_column(String(255))
    # Not unique: a soft-deleted title keeps its slug (see the soft-delete notes).
    slug: Mapped[str] = mapped_column(String(255), index=True)
    description: Mapped[Optional[str]] = mapped_column(Text)
    year: Mapped[Optional[int]]
    status: Mapped[str] = mapped_column(String(20), default="ongoing", server_default="ongoing")
    poster_url: Mapped[Optional[str]] = mapped_column(String(500))

    releases: Mapped[list[Release]] = relationship(
        back_populates="anime", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Anime {self.id} {self.title!r}>"
