{{- /* The gateway's own labels: the operator's selector labels carry component=operator, so these say gateway. */ -}}
{{- define "personalize.gatewaySelectorLabels" -}}
app.kubernetes.io/name: {{ include "personalize.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{- define "personalize.gatewayLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "personalize.gatewaySelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
