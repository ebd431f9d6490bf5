{{/* Ingress for the AWS Load Balancer Controller, HTTPS only. The shared class's IngressClassParams
     (gitops/ingress_classes.py) pin the group, the internet-facing scheme and IP targets and admit only
     exposed apps' namespaces; tenant admission forbids group.*, actions.* and conditions.* annotations.
     Members without group.order have order 0 and the controller orders equal orders by
     namespace/name; a catch-all (/) gets groupOrder 1000 from gitops/edge.py (the maximum, the only
     group.* value admission allows), so every other member's paths are matched before it.
     Every Ingress authenticates at the ALB (auth-type cognito or oidc, never none; the IdP, scope,
     session and cookie the same on every Ingress of the shared listener, from cluster-vars through
     gitops/edge.py). The target group's health checks do not pass the listener's rules, so they
     stay open. */}}
{{- define "innovate.ingress" -}}
{{- if .Values.ingress.enabled -}}
{{- $i := .Values.ingress -}}
{{- $a := $i.auth -}}
{{- if not (has $a.type (list "cognito" "oidc")) -}}
{{- fail "ingress.auth.type must be cognito or oidc: the ALB authenticates every request (gitops/edge.py sets it from platform.yaml edge.auth)" -}}
{{- end -}}
{{- $idpKey := ternary "idpCognito" "idpOidc" (eq $a.type "cognito") -}}
{{- $idp := get $a $idpKey | default dict -}}
{{- $keys := ternary (list "userPoolARN" "userPoolClientID" "userPoolDomain") (list "issuer" "authorizationEndpoint" "tokenEndpoint" "userInfoEndpoint" "secretName") (eq $a.type "cognito") -}}
{{- range $keys -}}
{{- if not (get $idp .) -}}
{{- fail (printf "ingress.auth.%s.%s is required with auth type %s" $idpKey . $a.type) -}}
{{- end -}}
{{- end -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
  annotations:
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTP": 80}, {"HTTPS": 443}]'
    alb.ingress.kubernetes.io/ssl-redirect: "443"
    alb.ingress.kubernetes.io/certificate-arn: {{ $i.certificateArn }}
    alb.ingress.kubernetes.io/ssl-policy: {{ $i.sslPolicy }}
    # Every Ingress of the group states the same ALB attributes (the controller refuses conflicts).
    alb.ingress.kubernetes.io/load-balancer-attributes: routing.http.drop_invalid_header_fields.enabled=true,deletion_protection.enabled={{ $i.deletionProtection }}{{ with $i.accessLogBucket }},access_logs.s3.enabled=true,access_logs.s3.bucket={{ . }},access_logs.s3.prefix=innovate{{ end }}
    # HSTS is a listener attribute of the HTTPS listener, not a load balancer attribute.
    alb.ingress.kubernetes.io/listener-attributes.HTTPS-443: routing.http.response.strict_transport_security.header_value=max-age={{ int $i.hstsMaxAgeSeconds }};includeSubDomains
    {{- with $i.inboundCidrs }}
    alb.ingress.kubernetes.io/inbound-cidrs: {{ join "," . }}
    {{- end }}
    {{- with $i.groupOrder }}
    # After every other member of the shared group (gitops/edge.py: a catch-all path).
    alb.ingress.kubernetes.io/group.order: {{ int . | quote }}
    {{- end }}
    {{- with $i.wafAclArn }}
    # The environment's WAFv2 web ACL (CDK, via cluster-vars): managed rule groups and a per-IP rate limit.
    alb.ingress.kubernetes.io/wafv2-acl-arn: {{ . }}
    {{- end }}
    # Sign-in before forwarding (platform.yaml edge.auth): the ALB answers unauthenticated requests itself.
    alb.ingress.kubernetes.io/auth-type: {{ $a.type }}
    {{- /* quote, not squote: a double-quoted YAML string escapes any character the JSON holds */}}
    alb.ingress.kubernetes.io/auth-idp-{{ $a.type }}: {{ $idp | toJson | quote }}
    alb.ingress.kubernetes.io/auth-on-unauthenticated-request: {{ $a.onUnauthenticatedRequest }}
    alb.ingress.kubernetes.io/auth-scope: {{ $a.scope | quote }}
    alb.ingress.kubernetes.io/auth-session-timeout: {{ int $a.sessionTimeoutSeconds | quote }}
    alb.ingress.kubernetes.io/auth-session-cookie: {{ $a.sessionCookie }}
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
