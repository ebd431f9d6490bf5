{{/* PodDisruptionBudget by maxUnavailable: a node drain always makes progress, even at one replica. */}}
{{- define "innovate.pdb" -}}
{{- if .Values.podDisruptionBudget.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  # A crash-looping pod must not block a drain or a Karpenter consolidation.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "innovate.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
