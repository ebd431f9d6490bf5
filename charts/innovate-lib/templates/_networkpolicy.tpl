{{/* NetworkPolicy: ingress on the app port from the VPC only (ALB IP targets, in-VPC scrapers); egress as listed. */}}
{{- define "innovate.networkPolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $np := .Values.networkPolicy -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "innovate.selectorLabels" . | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
  ingress:
    - from:
        {{- range $np.vpcCidrs }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      ports:
        - port: http
          protocol: TCP
  {{- if not (or $np.egress.dns $np.egress.postgres $np.egress.https) }}
  egress: []  # deny all egress
  {{- else }}
  egress:
    {{- end }}
    {{- if $np.egress.dns }}
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- end }}
    {{- if $np.egress.postgres }}
    - to:
        {{- range $np.vpcCidrs }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      ports:
        - port: 5432
          protocol: TCP
    {{- end }}
    {{- if $np.egress.https }}
    # AWS APIs (STS for IRSA, S3) through VPC endpoints or the NAT gateway.
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
      ports:
        - port: 443
          protocol: TCP
    {{- end }}
{{- end -}}
{{- end -}}
