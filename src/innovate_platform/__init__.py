"""Innovate Inc.'s EKS compute platform, synthesized and proven from one platform.yaml."""

__version__ = "0.1.0"
