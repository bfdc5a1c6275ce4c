from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.mixins import TimestampMixin

if TYPE_CHECKING:
    from app.models.anime import Anime
    from app.models.episode import Episode
    from app.models.user import User


class WatchProgress(TimestampMixin, Base):
    """Where a user stopped in a title: one row per (user, anime)."""

    __tablename__ = "watch_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "anime_id", name="uq_watch_progress_user_id_anime_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    anime_id: Mapped[int] = mapped_column(ForeignKey("anime.id", ondelete="CASCADE"))
    episode_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("episodes.id", ondelete="SET NULL")
    )
    position_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    completed: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="watch_progress")
    anime: Mapped[Anime] = relationship()
    episode: Mapped[Optional[Episode]] = relationship()
