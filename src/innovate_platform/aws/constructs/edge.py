"""EdgeCertificate: the environment's ACM certificate for its app hostnames, validated through
its Route 53 hosted zone (platform.yaml `dns`).

CDK writes the validation CNAMEs into the zone and waits until ACM issues the certificate; the
ARN reaches the Ingresses through `cluster-vars` (naming.CERTIFICATE_ARN_VAR). external-dns then
publishes the ALB's alias records in the same zone.
"""

from __future__ import annotations

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

from ...config import Environment


class EdgeCertificate(Construct):
    """One certificate covering every distinct app hostname of the environment."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment) -> None:
        super().__init__(scope, construct_id)
        dns = env.dns
        # The zone exists before the platform (its parent delegates to it): imported, never created.
        self.zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=dns.zone_id, zone_name=dns.zone_name)
        domain, *alternatives = dns.certificate_names
        self.certificate = acm.Certificate(
            self, "Certificate",
            domain_name=domain,
            subject_alternative_names=alternatives or None,
            validation=acm.CertificateValidation.from_dns(self.zone),
            certificate_name=f"{env.cluster_name}-edge",
        )
