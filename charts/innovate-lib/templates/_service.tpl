{{/* ClusterIP Service: port 80 to the container's named port "http". */}}
{{- define "innovate.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "innovate.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "innovate.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "innovate.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
{{- end -}}
