{{/* NetworkPolicy: ingress on the app port from the ALB's public subnets only (target type ip; kubelet
     probes from the pod's own node are always allowed); egress as listed. */}}
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
        {{- range $np.albSubnetCidrs }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      ports:
        - port: http
          protocol: TCP
    # The chart's own `helm test` pod.
    - from:
        - podSelector:
            matchLabels:
              {{- include "innovate.testSelectorLabels" . | nindent 14 }}
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

{{/* The `helm test` pod may resolve the Service and call the app's port; nothing else. */}}
{{- define "innovate.testNetworkPolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "innovate.fullname" . }}-test
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "innovate.testSelectorLabels" . | nindent 6 }}
  policyTypes: ["Ingress", "Egress"]
  ingress: []
  egress:
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
    - to:
        - podSelector:
            matchLabels:
              {{- include "innovate.selectorLabels" . | nindent 14 }}
      ports:
        - port: {{ .Values.containerPort }}
          protocol: TCP
{{- end -}}
{{- end -}}
