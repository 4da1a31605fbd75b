{{- /* The operator's permissions: the same rules as config/rbac/role.yaml. */ -}}
{{- define "personalize.rbacRules" -}}
{{- $kinds := list "datasetgroups" "schemas" "datasets" "datasetimportjobs" "solutions" "solutionversions" "campaigns" "batchinferencejobs" "eventtrackers" "filters" -}}
- apiGroups: ["personalize.io"]
  resources: {{ toJson $kinds }}
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["personalize.io"]
  resources:
    {{- range $kinds }}
    - {{ . }}/status
    {{- end }}
  verbs: ["get", "update", "patch"]
- apiGroups: ["personalize.io"]
  resources:
    {{- range $kinds }}
    - {{ . }}/finalizers
    {{- end }}
  verbs: ["update"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}
