{{/* The migration Job's pods: labelled apart from the app's so the Service, PDB and app NetworkPolicy ignore them. */}}
{{- define "innovate.migrationSelectorLabels" -}}
app.kubernetes.io/name: {{ include "innovate.name" . }}-migrate
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "innovate.migrationLabels" -}}
helm.sh/chart: {{ include "innovate.chart" . }}
{{ include "innovate.migrationSelectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: migrate
app.kubernetes.io/part-of: innovate
app.kubernetes.io/managed-by: {{ .Release.Service }}
innovate.io/team: {{ .Values.team }}
{{- end -}}
