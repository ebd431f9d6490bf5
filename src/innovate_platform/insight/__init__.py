"""Insight: cost estimate, capacity fit, architecture diagrams and a scaling simulator, all from platform.yaml."""
