"""Facts: every value an answer may rest on, with an id (`T1`, `R1`, `I1`, `C1`), where it came from,
and links to the API resources that show it. Statements in an answer cite fact ids."""

from dataclasses import dataclass, field

KINDS = ("telemetry", "runbook", "impact", "cost")
PREFIX = {"telemetry": "T", "runbook": "R", "impact": "I", "cost": "C"}


@dataclass(frozen=True)
class Fact:
    id: str
    kind: str
    field: str
    value: object
    source: str

    def as_dict(self) -> dict:
        return {"id": self.id, "field": self.field, "value": self.value, "source": self.source}


@dataclass
class Facts:
    items: list[Fact] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)

    def add(self, kind: str, name: str, value, source: str) -> str:
        number = sum(1 for f in self.items if f.kind == kind) + 1
        fact = Fact(f"{PREFIX[kind]}{number}", kind, name, value, source)
        self.items.append(fact)
        return fact.id

    def link(self, rel: str, href: str, fact_ids: list[str]) -> None:
        self.links.append({"rel": rel, "href": href, "fact_ids": fact_ids})

    def get(self, name: str) -> Fact | None:
        return next((f for f in self.items if f.field == name), None)

    def ids(self, *names: str) -> list[str]:
        """Ids of the facts with these field names (those that exist), in the given order."""
        found = (self.get(n) for n in names)
        return [f.id for f in found if f is not None]

    def known_ids(self) -> set[str]:
        return {f.id for f in self.items}

    def texts(self) -> dict[str, str]:
        """Each fact id -> its field and value as text (what a statement citing it may name)."""
        return {f.id: f"{f.field} {f.value}" for f in self.items}

    def used(self) -> list[dict]:
        return [f.as_dict() for f in self.items]

    def traceability(self) -> dict:
        grouped = {f"{kind}_facts": [f.as_dict() for f in self.items if f.kind == kind] for kind in KINDS}
        return {**grouped, "evidence_links": list(self.links)}

    def add_many(self, kind: str, source: str, values: dict) -> list[str]:
        """Add one fact per (field, value), skipping None values; returns the ids."""
        return [self.add(kind, name, value, source) for name, value in values.items() if value is not None]
