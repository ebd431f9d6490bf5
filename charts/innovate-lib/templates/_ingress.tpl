{{/* Ingress for the AWS Load Balancer Controller: one shared internet-facing ALB per group, IP targets, HTTPS only. */}}
{{- define "innovate.ingress" -}}
{{- if .Values.ingress.enabled -}}
{{- $i := .Values.ingress -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/group.name: {{ $i.groupName }}
    # Lower order is evaluated first: specific paths (/api) must beat the catch-all (/).
    alb.ingress.kubernetes.io/group.order: {{ $i.groupOrder | quote }}
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'
    alb.ingress.kubernetes.io/ssl-redirect: "443"
    alb.ingress.kubernetes.io/certificate-arn: {{ $i.certificateArn }}
    alb.ingress.kubernetes.io/ssl-policy: {{ $i.sslPolicy }}
    {{- with $i.wafAclArn }}
    # The environment's WAFv2 web ACL (CDK, via cluster-vars): managed rule groups and a per-IP rate limit.
    alb.ingress.kubernetes.io/wafv2-acl-arn: {{ . }}
    {{- end }}
    alb.ingress.kubernetes.io/healthcheck-path: {{ $i.healthcheckPath }}
    alb.ingress.kubernetes.io/healthcheck-port: traffic-port
    alb.ingress.kubernetes.io/success-codes: "200"
    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds={{ $i.deregistrationDelaySeconds }}
spec:
  ingressClassName: alb
  rules:
    - host: {{ $i.host }}
      http:
        paths:
          - path: {{ $i.path }}
            pathType: Prefix
            backend:
              service:
                name: {{ include "innovate.fullname" . }}
                port:
                  name: http
{{- end -}}
{{- end -}}
