"""A bad values file is refused by helm lint and helm template, with an error naming the field.

Cross-field rules JSON Schema cannot state (min <= max replicas, the shutdown budget) are `fail`
calls in the templates: `helm template` / `helm install` (and so Flux) refuse them, but Helm 4's
`helm lint` only logs template `fail` messages, so for those only rendering is asserted.
"""

from __future__ import annotations

import json

import pytest
import yaml

TEMPLATE_ONLY = ("must not exceed", "must exceed")
BAD_VALUES = [
    ("api", {"image": {"tag": "latest"}}, "/image/tag"),
    ("web", {"image": {"tag": ""}}, "/image/tag"),
    ("web", {"replicaCount": -1}, "/replicaCount"),
    ("api", {"autoscaling": {"minReplicas": "three"}}, "/autoscaling/minReplicas"),
    ("api", {"replicas": 3}, "additional properties 'replicas' not allowed"),
    ("web", {"ingress": {"hostname": "x.example.com"}}, "additional properties 'hostname' not allowed"),
    ("api", {"autoscaling": {"minReplicas": 10, "maxReplicas": 4}},
     "autoscaling.minReplicas (10) must not exceed autoscaling.maxReplicas (4)"),
    ("web", {"ingress": {"certificateArn": ""}}, "/ingress/certificateArn"),
    ("api", {"ingress": {"certificateArn": "arn:aws:acm:us-east-1:333333333333:certificate/prod"}}, "/ingress/certificateArn"),
    ("api", {"ingress": {"sslPolicy": "ELBSecurityPolicy-2016-08"}}, "/ingress/sslPolicy"),
    ("web", {"ingress": {"wafAclArn": ""}}, "/ingress/wafAclArn"),
    ("api", {"ingress": {"accessLogBucket": ""}}, "/ingress/accessLogBucket"),
    ("web", {"ingress": {"inboundCidrs": ["0.0.0.0/0"]}}, "/ingress/inboundCidrs/0"),
    ("api", {"ingress": {"hstsMaxAgeSeconds": 60}}, "/ingress/hstsMaxAgeSeconds"),
    ("api", {"ingress": {"wafAclArn": "arn:aws:wafv2:us-east-1:333333333333:global/webacl/edge/x"}}, "/ingress/wafAclArn"),
    ("api", {"tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}]}, "/tolerations/0/key"),
    ("api", {"autoscaling": {"mode": "rps"}}, "/autoscaling/rps/targetGroup"),
    ("web", {"autoscaling": {"mode": "rps"}}, "/autoscaling/mode"),
    ("api", {"shutdown": {"terminationGracePeriodSeconds": 30}}, "shutdown.terminationGracePeriodSeconds (30) must exceed"),
    ("api", {"serviceAccount": {"roleArn": "innovate-prod-api"}}, "/serviceAccount/roleArn"),
    ("api", {"topologySpread": {"zone": {"whenUnsatisfiable": "Never"}}}, "/topologySpread/zone/whenUnsatisfiable"),
    ("api", {"topologySpread": {"zone": {"whenUnsatisfiable": "ScheduleAnyway"}}}, "/topologySpread/zone/minDomains"),
    ("web", {"podDisruptionBudget": {"maxUnavailable": 0}}, "/podDisruptionBudget/maxUnavailable"),
    ("api", {"env": {"DB_IAM_AUTH": "yes"}}, "/env/DB_IAM_AUTH"),
    ("web", {"env": {"API_BASE_URL": "/api"}}, "/env/API_BASE_URL"),
    ("api", {"priorityClassName": "high"}, "/priorityClassName"),
    ("api", {"networkPolicy": {"vpcCidrs": ["10.30.0.0"]}}, "/networkPolicy/vpcCidrs/0"),
    ("web", {"test": {"image": "busybox:latest"}}, "/test/image"),
    ("api", {"test": {"image": "busybox:1.37.0"}}, "/test/image"),  # a tag without its digest
    ("web", {"image": {"digest": "sha256:abc"}}, "/image/digest"),
]


@pytest.mark.parametrize(("app", "values", "named"), BAD_VALUES, ids=[f"{a}:{n}" for a, _, n in BAD_VALUES])
def test_a_bad_values_file_is_rejected_naming_the_field(charts, app, values, named, tmp_path):
    bad = tmp_path / "bad-values.yaml"
    bad.write_text(yaml.safe_dump(values))
    prod = charts.charts_dir / app / "values-prod.yaml"

    rendered = charts.template(app, "prod", [bad])
    assert rendered.returncode != 0 and named in rendered.stderr, rendered.stderr
    assert "panic" not in rendered.stderr and "goroutine" not in rendered.stderr

    if any(rule in named for rule in TEMPLATE_ONLY):
        return
    linted = charts.helm("lint", "--strict", str(charts.charts_dir / app), "-f", str(prod), "-f", str(bad))
    assert linted.returncode != 0 and named in linted.stdout + linted.stderr


def test_the_defaults_alone_render_with_ingress_off(charts, app):
    objects = charts.render(app, None)
    assert "Ingress" not in charts.kinds(objects)
    result = charts.helm("lint", "--strict", str(charts.charts_dir / app))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schemas_close_every_level_and_agree_except_where_the_apps_differ(charts):
    api, web = (json.loads((charts.charts_dir / app / "values.schema.json").read_text()) for app in ("api", "web"))
    assert api["$schema"] == "http://json-schema.org/draft-07/schema#"

    def open_objects(schema, path="$"):
        if isinstance(schema, dict):
            if schema.get("type") == "object" and "properties" in schema and schema.get("additionalProperties") is not False:
                yield path
            for key, value in schema.items():
                yield from open_objects(value, f"{path}.{key}")

    assert list(open_objects(api)) == [] and list(open_objects(web)) == []
    assert "migrations" in api["properties"] and "migrations" not in web["properties"]
    api["properties"].pop("migrations")  # only the API has a schema to migrate
    for schema in (api, web):
        schema.pop("title")
        schema["properties"].pop("env")
        schema["properties"]["autoscaling"]["properties"].pop("mode")
    assert api == web
