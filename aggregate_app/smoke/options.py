"""Knobs of the smoke contracts. Defaults come from settings (hence the environment: SMOKE_TOKEN,
SEMANTIC_PIPELINE_ID, ASSERT_RUNS7D_GT, IMPACT_REQUIRED, SMOKE_TIMEOUT_S); the command line overrides."""

from dataclasses import dataclass, replace

from django.conf import settings


@dataclass(frozen=True)
class SmokeOptions:
    token: str = ""
    timeout_s: float = 20.0
    pipeline_id: str = "p2"  # SEMANTIC_PIPELINE_ID: the pipeline the per-pipeline checks use
    runs7d_gt: int = 1000  # ASSERT_RUNS7D_GT: aws.runs_7d must be greater
    impact_required: bool = True  # IMPACT_REQUIRED: a broken impact endpoint fails the contract
    page_size: int = 3  # runs pagination compares offset 0 with offset page_size

    @classmethod
    def from_settings(cls, **overrides) -> "SmokeOptions":
        base = cls(
            token=settings.SMOKE_TOKEN,
            timeout_s=settings.SMOKE_TIMEOUT_S,
            pipeline_id=settings.SEMANTIC_PIPELINE_ID,
            runs7d_gt=settings.ASSERT_RUNS7D_GT,
            impact_required=settings.IMPACT_REQUIRED,
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})
