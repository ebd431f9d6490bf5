"""The price table (src/innovate_platform/data/prices.yaml) as typed, sourced figures."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PRICES_FILE = Path(__file__).resolve().parent.parent / "data" / "prices.yaml"


@dataclass(frozen=True)
class Price:
    """One figure with where it came from; `verify` marks figures not in aws-facts.md."""

    value: float
    source: str
    date: str
    unit: str = ""
    verify: bool = False

    def cite(self) -> str:
        mark = ", verify" if self.verify else ""
        return f"{self.source} ({self.date}{mark})"


@dataclass(frozen=True)
class InstancePrice:
    """EC2 prices of one instance type: on-demand, 1-year RI (no upfront), spot."""

    name: str
    on_demand: Price
    reserved: Price | None
    spot_saving: Price
    interruptions_low: float
    interruptions_high: float

    @property
    def spot(self) -> float:
        """Spot price per hour: on-demand less the Spot Advisor saving."""
        return self.on_demand.value * (1 - self.spot_saving.value)

    @property
    def interruptions_per_month(self) -> float:
        """Mid-point of the Spot Advisor band: fraction of instances interrupted per month."""
        return (self.interruptions_low + self.interruptions_high) / 2

    def hourly(self, capacity: str) -> float:
        """Per-hour price for a capacity type: on-demand, spot or reserved."""
        kind = capacity.lower().replace("_", "-")
        if kind == "spot":
            return self.spot
        if kind == "reserved":
            return (self.reserved or self.on_demand).value
        return self.on_demand.value


@dataclass(frozen=True)
class PriceTable:
    region: str
    hours_per_month: int
    instances: dict[str, InstancePrice]
    rds_instances: dict[str, Price]
    items: dict[str, Price]

    def item(self, key: str) -> Price:
        return self.items[key]

    def instance(self, name: str) -> InstancePrice:
        try:
            return self.instances[name]
        except KeyError:
            raise KeyError(f"no price for instance type '{name}' in {PRICES_FILE.name}; add it with its source") from None

    def rds(self, instance_class: str) -> Price:
        try:
            return self.rds_instances[instance_class]
        except KeyError:
            raise KeyError(
                f"no price for RDS instance class '{instance_class}' in {PRICES_FILE.name}; add it with its source"
            ) from None


def _price(raw: dict, unit: str = "") -> Price:
    return Price(float(raw["price"]), str(raw["source"]), str(raw["date"]), str(raw.get("unit", unit)), bool(raw.get("verify", False)))


def parse_prices(data: dict) -> PriceTable:
    instances = {}
    for name, raw in data["instances"].items():
        band = raw["spot_interruptions"]
        instances[name] = InstancePrice(
            name=name,
            on_demand=_price(raw["on_demand"], "hour"),
            reserved=_price(raw["reserved_1yr_no_upfront"], "hour") if "reserved_1yr_no_upfront" in raw else None,
            spot_saving=_price(raw["spot_saving"], "fraction"),
            interruptions_low=float(band["low"]),
            interruptions_high=float(band["high"]),
        )
    return PriceTable(
        region=str(data["region"]),
        hours_per_month=int(data["hours_per_month"]),
        instances=instances,
        rds_instances={k: _price(v, "hour") for k, v in data["rds_instances"].items()},
        items={k: _price(v) for k, v in data["items"].items()},
    )


@lru_cache(maxsize=1)
def load_prices(path: str | None = None) -> PriceTable:
    """The shipped price table (cached)."""
    return parse_prices(yaml.safe_load(Path(path or PRICES_FILE).read_text()))
