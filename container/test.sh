#!/usr/bin/env bash
# `make container-test`: build the image on a base made locally (container/base.sh), run it, check health, the
# CLI inside it and one chat answer through its proxy (container/check.py), then remove the container, the image
# and the build's intermediate images (KEEP=1 keeps the image). The base image is kept for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${BASE_IMAGE:-localhost/ils-coach-base:bookworm}
image=${IMAGE:-localhost/ils-coach:test}
name=ils-coach-test-$$
port=${CONTAINER_PORT:-18501}
podman=(podman)
limits=()

command -v podman >/dev/null || { echo "podman not found: apt-get install podman"; exit 1; }
if ! podman image exists "$base"; then
    command -v debootstrap >/dev/null || { echo "debootstrap not found: apt-get install debootstrap"; exit 1; }
    bash container/base.sh "$base"
fi

# Podman's defaults need what some virtual machines lack: crun refuses a hybrid cgroup set-up (cgroup v1 with a
# controller on cgroup2), and its default limits (1048576 open files) can only be set with CAP_SYS_RESOURCE.
# There, use runc and limits no higher than this process's own (podman itself keeps at most 32768 processes).
if ! podman run --rm "$base" true >/dev/null 2>&1; then
    command -v runc >/dev/null || { echo "podman cannot start a container here; apt-get install runc may help"; exit 1; }
    podman=(podman --runtime runc)
    nproc=$(ulimit -Hu)
    if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
    limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=$nproc:$nproc")
    "${podman[@]}" run --rm "${limits[@]}" "$base" true
    echo "container-test: podman's default runtime cannot start containers here; using runc with ${limits[*]}"
fi

cleanup() {
    "${podman[@]}" rm -f "$name" >/dev/null 2>&1 || true
    [ -n "${KEEP:-}" ] || "${podman[@]}" rmi -f "$image" >/dev/null 2>&1 || true
    podman image prune -f --filter 'label=org.opencontainers.image.title=ILS Coach' >/dev/null 2>&1 || true
}
trap cleanup EXIT

start=$(date +%s)
# --format docker keeps the HEALTHCHECK (the OCI image format has no field for it).
"${podman[@]}" build --format docker "${limits[@]}" --build-arg "BASE=$base" -t "$image" .
echo "container-test: image built in $(( $(date +%s) - start )) s, $(podman image inspect "$image" --format '{{.Size}}') bytes"

# As compose.yaml runs it: root file system read-only, /tmp in memory, no capabilities, an init process, two
# workers behind HAProxy. Podman schedules health checks with systemd timers and says so on standard error where
# there is no systemd; they are run below by hand.
"${podman[@]}" run -d --name "$name" "${limits[@]}" --read-only --tmpfs /tmp --cap-drop ALL \
    --security-opt no-new-privileges --init -e ILS_COACH_WORKERS=2 -p "127.0.0.1:$port:8501" "$image" >/dev/null 2> >(grep -v 'systemd' >&2)
for _ in $(seq 1 90); do
    curl -fsS "http://127.0.0.1:$port/_stcore/health" >/dev/null 2>&1 && break
    if [ "$("${podman[@]}" inspect "$name" --format '{{.State.Running}}')" != true ]; then
        "${podman[@]}" logs "$name" 2>&1 | tail -n 20
        echo "container-test: the container stopped"; exit 1
    fi
    sleep 2
done
echo "container-test: health with curl: $(curl -fsS "http://127.0.0.1:$port/_stcore/health")"
"${podman[@]}" healthcheck run "$name" 2>/dev/null
echo "container-test: the image's HEALTHCHECK: $("${podman[@]}" inspect "$name" --format '{{.State.Health.Status}}' 2>/dev/null)"
.venv/bin/python -m container.check "http://127.0.0.1:$port" "$name" --podman "${podman[*]}"
"${podman[@]}" stop -t 20 "$name" >/dev/null 2>&1
"${podman[@]}" logs "$name" 2>&1 | tail -n 2
"${podman[@]}" rm "$name" >/dev/null 2>&1

# As container/kubernetes.yaml runs each pod: one Streamlit process, no HAProxy, the cookie secret from outside.
"${podman[@]}" run -d --name "$name" "${limits[@]}" --read-only --tmpfs /tmp --cap-drop ALL \
    --security-opt no-new-privileges -e "STREAMLIT_SERVER_COOKIE_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
    -p "127.0.0.1:$port:8501" "$image" python -m streamlit run app.py --server.address 0.0.0.0 --server.port 8501 \
    --server.headless true >/dev/null 2> >(grep -v 'systemd' >&2)
for _ in $(seq 1 90); do
    curl -fsS "http://127.0.0.1:$port/_stcore/health" >/dev/null 2>&1 && break
    sleep 2
done
.venv/bin/python -m container.check "http://127.0.0.1:$port" "$name" --podman "${podman[*]}" --single
"${podman[@]}" stop -t 20 "$name" >/dev/null 2>&1
echo "container-test: passed"
