#!/usr/bin/env bash
# The whole product on one machine, in one command: builds the operator, trainer and runtime, generates a
# sample dataset, applies examples/quickstart/ in local mode (no Kubernetes, Docker or cloud account), shows
# import, training and serving progress, and leaves the campaigns serving on localhost with curl commands to try.
# Ctrl-C stops everything; a rerun reuses what is built, imported and trained.
#
# Environment (all optional):
#   PERSONALIZE_QUICKSTART_DIR            state folder (default .local/quickstart): data, resources, models
#   PERSONALIZE_QUICKSTART_CONFIGURATION  Release (default) or Debug (reuses the build of tests/run.sh)
#   QUICKSTART_USERS / QUICKSTART_ITEMS / QUICKSTART_INTERACTIONS   size of the generated data
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
STATE="${PERSONALIZE_QUICKSTART_DIR:-$ROOT/.local/quickstart}"
CONFIGURATION="${PERSONALIZE_QUICKSTART_CONFIGURATION:-Release}"
BIN="$ROOT/.local/bin/$CONFIGURATION"
USERS="${QUICKSTART_USERS:-1000}"
ITEMS="${QUICKSTART_ITEMS:-500}"
INTERACTIONS="${QUICKSTART_INTERACTIONS:-20000}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '==> %s\n' "$*"; }
command -v dotnet >/dev/null || { echo "quickstart: dotnet (the .NET 10 SDK) is not installed; see https://dot.net" >&2; exit 1; }

# 1. TorchSharp's native code needs a newer libstdc++ than Debian 12 has: this installs a private one for the
#    trainer process only (nothing on systems that do not need it). Quiet when already done.
step "checking the TorchSharp runtime"
bash tests/infra/torch-compat.sh
COMPAT_ENV="${PERSONALIZE_CACHE:-$HOME/.cache/personalize-operator}/torch-compat/env"
if [ -f "$COMPAT_ENV" ]; then
  PERSONALIZE_TRAINER_DOTNET_HOST="$(sed -n 's/^HOST=//p' "$COMPAT_ENV")"
  PERSONALIZE_TRAINER_LD_LIBRARY_PATH="$(sed -n 's/^LD_LIBRARY_PATH=//p' "$COMPAT_ENV")"
  export PERSONALIZE_TRAINER_DOTNET_HOST PERSONALIZE_TRAINER_LD_LIBRARY_PATH
  # The compat host replaces `dotnet`, so the trainer starts as `dotnet <dll>` rather than by its apphost.
  export PERSONALIZE_TRAINER_COMMAND="dotnet $BIN/personalize-trainer.dll"
fi

# 2. Build the three executables into one folder, skipped when no source changed since the last build
#    (the stamp hashes the sources' contents, edits not yet committed included).
STAMP_WANT="$CONFIGURATION $(git ls-files -z -co --exclude-standard lib operator trainer runtime Directory.Build.props Directory.Packages.props global.json \
  | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$BIN/.stamp" 2>/dev/null)" != "$STAMP_WANT" ] || [ ! -x "$BIN/personalize" ]; then
  for project in operator/Personalize.Operator runtime/Personalize.Runtime trainer/Personalize.Trainer; do
    step "building $project ($CONFIGURATION)"
    dotnet build "$project" -c "$CONFIGURATION" -o "$BIN" -nologo -v quiet -clp:ErrorsOnly
  done
  echo "$STAMP_WANT" >"$BIN/.stamp"
else
  step "build is up to date ($BIN)"
fi

# 3. The sample data, written once into the local object store (s3://quickstart-data/ = $STATE/store/quickstart-data/).
DATA="$STATE/store/quickstart-data"
if [ ! -f "$DATA/interactions.csv" ]; then
  step "generating $INTERACTIONS interactions of $USERS users on $ITEMS items"
  "$BIN/personalize-trainer" generate --output "$DATA" --users "$USERS" --items "$ITEMS" --interactions "$INTERACTIONS"
else
  step "sample data already in $DATA"
fi

# 4. The resources: examples/quickstart/, copied so local edits of the state never touch the repository.
mkdir -p "$STATE/resources"
cp -f examples/quickstart/*.yaml "$STATE/resources/"

# 5. Local mode: the real controllers over the YAML folder, the trainer and runtime as child processes.
step "starting personalize local (Ctrl-C stops everything)"
export PERSONALIZE_STORE_ROOT="$STATE/store"
exec "$BIN/personalize" local "$STATE/resources" --state "$STATE/state"
