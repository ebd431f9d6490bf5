"""autoscaling.mode: rps swaps the HPA for a KEDA ScaledObject valid against KEDA's own CRD."""

from __future__ import annotations

import copy

import jsonschema
import kubernetes_validate
import pytest
import yaml

TARGET_GROUP = "targetgroup/k8s-api-api-0123456789/0123456789abcdef"


@pytest.fixture(scope="module")
def rps_objects(charts, tmp_path_factory):
    """The prod API with request-based scaling, rendered once for this module."""
    values = {"autoscaling": {"mode": "rps", "rps": {"targetGroup": TARGET_GROUP}}}
    return charts.render_with("api", "prod", values, tmp_path_factory.mktemp("keda"))


def test_rps_mode_renders_a_scaledobject_and_no_hpa(charts, rps_objects):
    kinds = charts.kinds(rps_objects)
    assert "ScaledObject" in kinds and "HorizontalPodAutoscaler" not in kinds


def test_cpu_mode_renders_an_hpa_and_no_scaledobject(charts, env):
    kinds = charts.kinds(charts.render("api", env))
    assert "HorizontalPodAutoscaler" in kinds and "ScaledObject" not in kinds


def test_the_scaledobject_is_valid_against_kedas_crd(charts, rps_objects):
    scaled = charts.only(rps_objects, "ScaledObject")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    jsonschema.validate(scaled, charts.keda_scaledobject_schema())  # format checker off
    assert charts.cel_rule_failures(scaled) == []


def test_the_crd_cel_rule_is_really_evaluated(charts, rps_objects):
    scaled = copy.deepcopy(charts.only(rps_objects, "ScaledObject"))
    scaled["spec"]["minReplicaCount"] = scaled["spec"]["maxReplicaCount"] + 1
    assert charts.cel_rule_failures(scaled) == [".spec: minReplicaCount must be less than or equal to maxReplicaCount"]


def test_the_other_objects_stay_valid_kubernetes_in_rps_mode(rps_objects):
    for obj in rps_objects:
        if obj["apiVersion"] != "keda.sh/v1alpha1":
            kubernetes_validate.validate(obj, "1.35", strict=True)


def test_the_crd_check_would_catch_a_misspelt_field(charts, rps_objects):
    scaled = copy.deepcopy(charts.only(rps_objects, "ScaledObject"))
    scaled["spec"]["maxReplicas"] = scaled["spec"].pop("maxReplicaCount")
    with pytest.raises(jsonschema.ValidationError, match="maxReplicas"):
        jsonschema.validate(scaled, charts.keda_scaledobject_schema())


def test_the_scaledobject_scales_the_deployment_on_alb_requests_per_target_with_a_cpu_floor(charts, rps_objects):
    scaled = charts.only(rps_objects, "ScaledObject")["spec"]
    deployment = charts.only(rps_objects, "Deployment")
    prod = yaml.safe_load((charts.charts_dir / "api" / "values-prod.yaml").read_text())["autoscaling"]
    assert scaled["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (prod["minReplicas"], prod["maxReplicas"])
    cloudwatch, cpu = scaled["triggers"]
    meta = cloudwatch["metadata"]
    assert cloudwatch["type"] == "aws-cloudwatch"
    assert (meta["namespace"], meta["metricName"], meta["metricStat"]) == ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum")
    assert (meta["dimensionName"], meta["dimensionValue"]) == ("TargetGroup", TARGET_GROUP)
    assert meta["identityOwner"] == "operator"  # KEDA's own IRSA role reads CloudWatch
    # targetPerPod requests/s per pod over a 60 s Sum period.
    assert (meta["metricStatPeriod"], meta["targetMetricValue"]) == ("60", str(RPS_TARGET * 60))
    assert cloudwatch["metricType"] == "Value"  # already per target: KEDA must not divide by replicas again
    assert all(isinstance(v, str) for v in meta.values())
    assert (cpu["type"], cpu["metricType"], cpu["metadata"]) == ("cpu", "Utilization", {"value": "70"})
    assert "replicas" not in deployment["spec"]


MEASURED_REQUESTS_PER_CPU_SECOND = 156  # bench/api_load.py on the 2-core build machine (README's Figures)
MARGIN = 0.75  # charts/api/values.yaml: TLS/IAM to RDS, network latency, noisy neighbours
RPS_TARGET = 20


def test_the_rps_target_is_derived_from_the_measured_figure_with_the_written_margin(charts):
    """targetPerPod = measured req/CPU-s x CPU request x CPU target x margin, rounded down."""
    values = yaml.safe_load((charts.charts_dir / "api" / "values.yaml").read_text())
    cpu_request = float(values["resources"]["requests"]["cpu"].removesuffix("m")) / 1000
    cpu_target = values["autoscaling"]["cpu"]["targetUtilization"] / 100
    derived = MEASURED_REQUESTS_PER_CPU_SECOND * cpu_request * cpu_target * MARGIN
    assert values["autoscaling"]["rps"]["targetPerPod"] == RPS_TARGET == int(derived), derived
    comment = (charts.charts_dir / "api" / "values.yaml").read_text()
    assert f"measured {MEASURED_REQUESTS_PER_CPU_SECOND} requests per server CPU-second" in comment
    assert f"margin {MARGIN}" in comment


def test_the_rps_target_follows_values(charts, tmp_path):
    values = {"autoscaling": {"mode": "rps", "rps": {"targetGroup": TARGET_GROUP, "targetPerPod": 220, "periodSeconds": 300}}}
    scaled = charts.only(charts.render_with("api", "dev", values, tmp_path), "ScaledObject")["spec"]
    assert scaled["triggers"][0]["metadata"]["targetMetricValue"] == str(220 * 300)
    assert (scaled["minReplicaCount"], scaled["maxReplicaCount"]) == (1, 3)
