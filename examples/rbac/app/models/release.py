import sqlalchemy as sa
from sqlalchemy.orm import relationship

from app.models.base import Base


class Release(Base):
    """One release of a title: the TV series, a movie, an OVA batch..."""

    __tablename__ = "releases"

    id = sa.Column(sa.Integer, primary_key=True)
    anime_id = sa.Column(
        sa.Integer, sa.ForeignKey("anime.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title = sa.Column(sa.String(255), nullable=False)
    kind = sa.Column(sa.String(20), nullable=False, server_default="tv")
    translator = sa.Column(sa.String(100))
    episodes_total = sa.Column(sa.Integer)
    created_at = sa.Column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())

    anime = relationship("Anime", back_populates="releases")
    episodes = relationship(
        "Episode",
        back_populates="release",
        order_by="Episode.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self):
        return f"<Release {self.id} {self.title!r}>"
