"""What a smoke contract produces: one result per check, and the report that holds them."""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

PASS = "PASS"
FAIL = "FAIL"


class CheckFailed(Exception):
    """Raised inside a check: the check FAILs with this reason."""


def expect(condition: object, reason: str) -> None:
    if not condition:
        raise CheckFailed(reason)


@dataclass
class CheckResult:
    name: str
    status: str  # PASS | FAIL
    reason: str
    elapsed_ms: int = 0

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def line(self) -> str:
        return f"{self.status} {self.name}: {self.reason}"


@dataclass
class ContractReport:
    contract: str  # api | ui | truth
    target: str
    checks: list[CheckResult] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    finished_at: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    def summary(self) -> str:
        verdict = PASS if self.passed else FAIL
        passed = len(self.checks) - len(self.failed)
        return f"{verdict} {self.contract} smoke on {self.target}: {passed}/{len(self.checks)} checks passed"

    def to_dict(self) -> dict:
        return {
            "contract": self.contract,
            "target": self.target,
            "status": PASS if self.passed else FAIL,
            "passed": self.passed,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "checks": [asdict(c) for c in self.checks],
        }
