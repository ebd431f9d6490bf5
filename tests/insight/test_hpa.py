"""The HPA model against the Kubernetes algorithm and defaults (aws-facts.md, Autoscaler behaviour)."""

from innovate_platform.insight.hpa import HorizontalPodAutoscaler, metric_replicas


def test_desired_is_ceil_of_current_times_ratio():
    # Kubernetes docs: 200m observed against a 100m target doubles, 50m halves.
    assert metric_replicas(current=4, ready=4, usage_ratio=2.0) == 8
    assert metric_replicas(current=4, ready=4, usage_ratio=0.5) == 2
    assert metric_replicas(current=3, ready=3, usage_ratio=1.5) == 5  # ceil(4.5)


def test_ratio_within_ten_percent_tolerance_keeps_the_scale():
    assert metric_replicas(current=10, ready=10, usage_ratio=1.09) == 10
    assert metric_replicas(current=10, ready=10, usage_ratio=0.91) == 10
    assert metric_replicas(current=10, ready=10, usage_ratio=1.11) == 12


def test_pods_without_metrics_damp_a_scale_up_and_a_scale_down():
    # 2 of 4 pods pending: counted at 0% when scaling up -> 2.0 becomes 1.0, no change.
    assert metric_replicas(current=4, ready=2, usage_ratio=2.0) == 4
    assert metric_replicas(current=4, ready=2, usage_ratio=3.0) == 6
    # scaling down, missing pods count at 100% of target: (0.2*2 + 2) / 4 = 0.6 -> 3
    assert metric_replicas(current=4, ready=2, usage_ratio=0.2) == 3


def test_scale_down_waits_for_the_300_second_stabilization_window():
    hpa = HorizontalPodAutoscaler(1, 20)
    assert hpa.decide(0, 10, 10) == 10
    assert hpa.decide(15, 10, 2) == 10  # the high recommendation is still in the window
    assert hpa.decide(285, 10, 2) == 10
    assert hpa.decide(300, 10, 2) == 2  # 300 s after the last recommendation of 10


def test_scale_up_is_immediate_but_limited_to_double_or_plus_four():
    hpa = HorizontalPodAutoscaler(1, 100)
    assert hpa.decide(0, 2, 20) == 6  # max(2 x 2, 2 + 4)
    assert hpa.decide(15, 10, 50) == 20  # max(10 x 2, 10 + 4)


def test_result_is_clamped_to_min_and_max_replicas():
    hpa = HorizontalPodAutoscaler(3, 12)
    assert hpa.decide(0, 10, 40) == 12
    hpa = HorizontalPodAutoscaler(3, 12)
    assert hpa.decide(0, 3, 1) == 3
