{{/*
Chart name, truncated to the 63 characters of a DNS label.
*/}}
{{- define "egress-guard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Name of the release's objects: the release name when it already says egress-guard (the documented
`helm install egress-guard`), else <release>-egress-guard.
*/}}
{{- define "egress-guard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "egress-guard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "egress-guard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "egress-guard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "egress-guard.labels" -}}
helm.sh/chart: {{ include "egress-guard.chart" . }}
{{ include "egress-guard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: egress-guard
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The Service's DNS names, the ones the serving certificate must hold.
*/}}
{{- define "egress-guard.serviceDnsNames" -}}
- {{ include "egress-guard.fullname" . }}.{{ .Release.Namespace }}.svc
- {{ include "egress-guard.fullname" . }}.{{ .Release.Namespace }}.svc.cluster.local
{{- end }}

