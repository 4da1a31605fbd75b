{{- /* The operator's permissions: the same rules as config/rbac/role.yaml. */ -}}
{{- define "personalize.rbacRules" -}}
{{- $kinds := list "datasetgroups" "schemas" "datasets" "datasetimportjobs" "solutions" "solutionversions" "campaigns" "batchinferencejobs" "eventtrackers" "filters" -}}
{{- /* Only the verbs the code calls: informers list and watch; the status and finalizer writes are updates;
  SolutionVersions of a schedule are created; owned workloads are server-side applied (a
  patch, and a create when the object is new) and deleted; each
  campaign's token Secret is read and applied. */ -}}
- apiGroups: ["personalize.io"]
  resources: {{ toJson $kinds }}
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: ["personalize.io"]
  resources:
    {{- range $kinds }}
    - {{ . }}/status
    {{- end }}
  verbs: ["update"]
- apiGroups: ["personalize.io"]
  resources:
    {{- range $kinds }}
    - {{ . }}/finalizers
    {{- end }}
  verbs: ["update"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["create", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch", "list"]
{{- end -}}
