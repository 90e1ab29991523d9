"""What the checks work out about a source, kept beside the model instead of written into it."""

from __future__ import annotations

from supplement.records import Struct, field
from supplement.study.model import Participant, Place, Source


class Index(Struct, frozen=True):
    """What the checks work out about a model, beside it."""

    sources: dict[str, Source] = field(default_factory=dict)  # by id
    cited: dict[Place, Source] = field(default_factory=dict)  # a quote's place -> the source its citation means
    people: dict[str, tuple[int, Participant]] = field(default_factory=dict)  # id -> (number by position, row)

    def source_of(self, place: Place) -> Source | None:
        return self.cited.get(place)
