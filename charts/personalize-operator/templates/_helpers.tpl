{{- define "personalize.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "personalize.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "personalize.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "personalize.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "personalize.selectorLabels" -}}
app.kubernetes.io/name: {{ include "personalize.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "personalize.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "personalize.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret with the S3 keys: the user's own, or the one this chart creates. */}}
{{- define "personalize.s3SecretName" -}}
{{- default (printf "%s-s3" (include "personalize.fullname" .)) .Values.s3.credentials.existingSecret -}}
{{- end -}}

{{/* repository:tag of one of .Values.images, the tag defaulting to the chart's appVersion. */}}
{{- define "personalize.image" -}}
{{- $image := index .root.Values.images .name -}}
{{- printf "%s:%s" $image.repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The operator's and the gateway's namespaces (operator.watchNamespaces), comma-separated; none when it watches all. */}}
{{- define "personalize.watchNamespacesEnv" -}}
{{- with .Values.operator.watchNamespaces }}
- name: PERSONALIZE_WATCH_NAMESPACES
  value: {{ uniq . | join "," | quote }}
{{- end }}
{{- end -}}

{{/* operator.watchNamespace (one namespace) became operator.watchNamespaces (a list): refused by name, since
  ignoring it would silently widen the operator to every namespace. */}}
{{- define "personalize.checkRemovedValues" -}}
{{- if .Values.operator.watchNamespace }}
{{- fail "operator.watchNamespace was replaced by operator.watchNamespaces, a list: --set 'operator.watchNamespaces={team-a}'" }}
{{- end }}
{{- end -}}

{{/* The console log format, one every executable has (values.yaml: logFormat). */}}
{{- define "personalize.logFormat" -}}
{{- if not (has .Values.logFormat (list "simple" "json")) -}}
{{- fail (printf "logFormat must be simple or json, not %q" (toString .Values.logFormat)) -}}
{{- end -}}
{{- .Values.logFormat -}}
{{- end -}}
