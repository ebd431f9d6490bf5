"""The Horizontal Pod Autoscaler's algorithm with the Kubernetes defaults (aws-facts.md, Autoscaler behaviour).

desired = ceil(current x currentMetric / target), skipped within the 10% tolerance; pods without
metrics (pending or starting) count as 0% on scale-up and 100% on scale-down, as the controller
does (pkg/controller/podautoscaler/replica_calculator.go); scale-down is stabilized over 300 s
(the highest recommendation in the window wins); scale-up is limited per 15 s to the larger of
+100% or +4 pods; the result is clamped to [minReplicas, maxReplicas].
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class HpaDefaults:
    sync_s: int = 15  # --horizontal-pod-autoscaler-sync-period
    tolerance: float = 0.10  # --horizontal-pod-autoscaler-tolerance
    scale_down_window_s: int = 300  # behavior.scaleDown.stabilizationWindowSeconds
    scale_up_percent: int = 100  # behavior.scaleUp.policies[Percent] per 15 s
    scale_up_pods: int = 4  # behavior.scaleUp.policies[Pods] per 15 s (selectPolicy: Max)


def metric_replicas(current: int, ready: int, usage_ratio: float, tolerance: float = 0.10) -> int:
    """Replicas one metric asks for. `usage_ratio` = mean metric of the ready pods / target;
    `current - ready` pods have no metrics yet."""
    if ready <= 0:
        return current  # no metrics at all: the controller keeps the current scale
    missing = current - ready
    if missing <= 0:
        if abs(1.0 - usage_ratio) <= tolerance:
            return current
        return math.ceil(usage_ratio * ready)
    # Missing pods: assumed at the target when scaling down, at zero when scaling up.
    if usage_ratio < 1.0:
        new_ratio = (usage_ratio * ready + missing) / current
    else:
        new_ratio = usage_ratio * ready / current
    if abs(1.0 - new_ratio) <= tolerance or (usage_ratio < 1.0 < new_ratio) or (usage_ratio > 1.0 > new_ratio):
        return current
    proposed = math.ceil(new_ratio * current)
    if (new_ratio < 1.0 and proposed > current) or (new_ratio > 1.0 and proposed < current):
        return current
    return proposed


class HorizontalPodAutoscaler:
    """One HPA: feed it metric proposals every sync, get the replica count the controller sets."""

    __slots__ = ("min_replicas", "max_replicas", "defaults", "_window")

    def __init__(self, min_replicas: int, max_replicas: int, defaults: HpaDefaults = HpaDefaults()):
        self.min_replicas = min_replicas
        self.max_replicas = max_replicas
        self.defaults = defaults
        self._window: deque[tuple[float, int]] = deque()  # (time, recommendation), decreasing recs

    def reset(self) -> None:
        self._window.clear()

    def decide(self, now: float, current: int, proposed: int) -> int:
        """Stabilize, rate-limit and clamp a proposal (the maximum over the HPA's metrics)."""
        if current == 0:
            return 0  # replicas 0 disables the HPA (the dev sleep schedule does this)
        d = self.defaults
        window = self._window
        while window and window[0][0] <= now - d.scale_down_window_s:
            window.popleft()
        while window and window[-1][1] <= proposed:  # monotonic: keep only what can be a maximum
            window.pop()
        window.append((now, proposed))
        down = window[0][1]  # the highest recommendation in the window
        desired = current
        if desired < proposed:
            desired = proposed  # scale-up stabilization window is 0 s
        if desired > down:
            desired = down
        if desired > current:
            limit = max(math.ceil(current * (1 + d.scale_up_percent / 100)), current + d.scale_up_pods)
            desired = min(desired, limit)
        return max(self.min_replicas, min(self.max_replicas, desired))
