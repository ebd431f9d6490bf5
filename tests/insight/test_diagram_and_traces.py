"""Diagrams render from the config; the reference traces are what traces/generate.py produces."""

import importlib.util
import random

from innovate_platform.insight.diagram import render

from .conftest import ROOT


def test_prod_diagram_shows_the_configured_capacity(platform, workloads, tmp_path):
    png = render(platform, "prod", tmp_path, workloads["prod"], formats=("png", "dot"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dot = (tmp_path / "architecture-prod.dot").read_text()
    for label in ("NodePool burst", "c6i.xlarge", "NAT gateway x 3", "VPC 10.30.0.0/16", "account 444444444444",
                  "db.m6g.large Multi-AZ", "innovate-prod-karpenter-interruption", "HPA 3-12"):
        assert label in dot, label


def test_reference_traces_are_reproducible():
    spec = importlib.util.spec_from_file_location("trace_generate", ROOT / "traces" / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for name, rows in (("prod-weekday-diurnal.csv", gen.prod_diurnal(random.Random(1))),
                       ("prod-flash-crowd.csv", gen.flash_crowd(random.Random(2))),
                       ("dev-office-hours.csv", gen.dev_office_hours(random.Random(3)))):
        expected = ["timestamp,app,rps"] + [f"{t},{a},{r:.1f}" for t, a, r in rows]
        assert (ROOT / "traces" / name).read_text().splitlines() == expected
