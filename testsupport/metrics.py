"""Reading /metrics in tests: scrape it through a Django test client and look up samples.

before = scrape(client).value("ct_ingest_events_total", outcome="accepted", reason="")
"""

from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


@dataclass
class Scrape:
    text: str

    def samples(self, name: str) -> list:
        return [
            s
            for family in text_string_to_metric_families(self.text)
            for s in family.samples
            if s.name == name
        ]

    def value(self, name: str, **labels: str) -> float:
        """The sample's value (0 when there is none yet), `labels` matching a subset of its labels."""
        found = [s.value for s in self.samples(name) if labels.items() <= s.labels.items()]
        return sum(found)

    def series_names(self) -> set[str]:
        """Every series name the families in this scrape are exposed under."""
        names = set()
        for family in text_string_to_metric_families(self.text):
            names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
            names |= {s.name for s in family.samples}
        return names


def scrape(client, **headers) -> Scrape:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/plain; version=")
    return Scrape(response.content.decode())
