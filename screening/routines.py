"""The routine library: drills from the three source articles, loaded from ``data/routines.json``.

Every drill has an id, a name, a target, how-to steps written in our own words, a structured dose
plus a human string, a frequency, and its source (seed id + title + section).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, cast

Target = Literal["soft_tissue", "joint", "strength", "foot", "movement", "maintenance"]
TARGETS: tuple[Target, ...] = ("soft_tissue", "joint", "strength", "foot", "movement", "maintenance")


@dataclass(frozen=True)
class Source:
    seed: str
    file: str
    title: str
    section: str
    cite: str  # short citation, e.g. "seed 000: Rusin, Fix Your Ankle Mobility In Five Minutes"

    def __str__(self) -> str:
        return f"{self.cite} ({self.section})" if self.section else self.cite


@dataclass(frozen=True)
class Dose:
    text: str
    sets: int | None = None
    reps_min: int | None = None
    reps_max: int | None = None
    time_s_min: float | None = None
    time_s_max: float | None = None
    rounds_min: int | None = None
    rounds_max: int | None = None
    rest_s_min: float | None = None
    rest_s_max: float | None = None
    per: str | None = None


@dataclass(frozen=True)
class Frequency:
    text: str
    per_week_min: int | None = None
    per_week_max: int | None = None
    weeks_min: int | None = None
    weeks_max: int | None = None
    daily: bool = False


@dataclass(frozen=True)
class Drill:
    id: str
    name: str
    target: Target
    how_to: tuple[str, ...]
    dose: Dose
    frequency: Frequency
    source: Source
    caution: str = ""
    hold_s_min: float | None = None
    hold_s_max: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        d = asdict(self)
        d["how_to"] = list(self.how_to)
        d["source"]["text"] = str(self.source)
        return d


@dataclass(frozen=True)
class MaintenanceItem:
    what: str
    drill_ids: tuple[str, ...]
    per_week_min: int | None
    per_week_max: int | None
    text: str
    source: Source


@dataclass(frozen=True)
class RoutineLibrary:
    sources: dict[str, Source]
    drills: dict[str, Drill]
    tests: dict[str, dict[str, Any]]
    maintenance: tuple[MaintenanceItem, ...]

    def drill(self, drill_id: str) -> Drill:
        return self.drills[drill_id]

    def by_target(self, target: Target) -> list[Drill]:
        return [d for d in self.drills.values() if d.target == target]


def _source(d: dict[str, Any]) -> Source:
    return Source(seed=d["seed"], file=d["file"], title=d["title"], section=d.get("section", ""), cite=d["cite"])


def parse_library(data: dict[str, Any]) -> RoutineLibrary:
    sources = {
        k: Source(seed=v["seed"], file=v["file"], title=v["title"], section="",
                  cite=f"seed {v['seed']}: {v['title'].split(' (')[0]}")
        for k, v in data["sources"].items()
    }
    drills: dict[str, Drill] = {}
    for raw in data["drills"]:
        if raw["target"] not in TARGETS:
            raise ValueError(f"drill {raw['id']}: unknown target {raw['target']}")
        if raw["source"]["seed"] not in sources:
            raise ValueError(f"drill {raw['id']}: unknown source seed {raw['source']['seed']}")
        drills[raw["id"]] = Drill(
            id=raw["id"],
            name=raw["name"],
            target=cast(Target, raw["target"]),
            how_to=tuple(raw["how_to"]),
            dose=Dose(**raw["dose"]),
            frequency=Frequency(**raw["frequency"]),
            source=_source(raw["source"]),
            caution=raw.get("caution", ""),
            hold_s_min=raw.get("hold_s_min"),
            hold_s_max=raw.get("hold_s_max"),
        )
    maintenance = tuple(
        MaintenanceItem(
            what=m["what"], drill_ids=tuple(m["drill_ids"]), per_week_min=m["per_week_min"],
            per_week_max=m["per_week_max"], text=m["text"], source=_source(m["source"]),
        )
        for m in data["maintenance"]
    )
    for m in maintenance:
        for did in m.drill_ids:
            if did not in drills:
                raise ValueError(f"maintenance item '{m.what}' names unknown drill {did}")
    tests = {t["id"]: t for t in data.get("tests", [])}
    return RoutineLibrary(sources=sources, drills=drills, tests=tests, maintenance=maintenance)


@lru_cache(maxsize=1)
def load_library() -> RoutineLibrary:
    """The packaged routine library (cached)."""
    text = resources.files("screening").joinpath("data/routines.json").read_text(encoding="utf-8")
    return parse_library(json.loads(text))
