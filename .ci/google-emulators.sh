#!/usr/bin/env bash
# Sourced by .ci/run: starts Google's Firestore and Pub/Sub emulators (Cloud SDK, Java 17)
# on free loopback ports (never 8080, the emulators' default, which other services take),
# waits a bounded time for each to answer, exports the standard variables the Google
# clients honour, and stops both when the calling shell exits.

EMULATOR_READY_SECONDS="${EMULATOR_READY_SECONDS:-120}"
EMULATOR_LOG_DIR="${EMULATOR_LOG_DIR:-$(mktemp -d)}"
_EMULATOR_PGIDS=()

_free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# _wait_ready NAME HOST:PORT LOG: polls GET / (both emulators answer "Ok") until ready or the bound.
_wait_ready() {
  local name="$1" host="$2" log="$3" waited=0
  until node -e "fetch('http://$host/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; do
    if (( waited >= EMULATOR_READY_SECONDS )); then
      echo "$name emulator did not answer on $host within ${EMULATOR_READY_SECONDS}s; its log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "$name emulator ready on $host after ${waited}s"
}

stop_google_emulators() {
  local pgid
  for pgid in "${_EMULATOR_PGIDS[@]}"; do
    # The gcloud wrapper starts a JVM child: end the whole process group it leads.
    kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  _EMULATOR_PGIDS=()
}

start_google_emulators() {
  if ! command -v gcloud >/dev/null 2>&1; then
    echo "CI runs the integration suites on Google's emulators, but gcloud is not installed" >&2
    echo "(apt-get install google-cloud-cli google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator)" >&2
    return 1
  fi
  trap stop_google_emulators EXIT
  local fs_port ps_port
  fs_port="$(_free_port)"
  ps_port="$(_free_port)"
  setsid gcloud emulators firestore start --host-port="127.0.0.1:$fs_port" \
    >"$EMULATOR_LOG_DIR/firestore.log" 2>&1 &
  _EMULATOR_PGIDS+=("$!")
  setsid gcloud beta emulators pubsub start --host-port="127.0.0.1:$ps_port" --project=demo-darkroom \
    >"$EMULATOR_LOG_DIR/pubsub.log" 2>&1 &
  _EMULATOR_PGIDS+=("$!")
  _wait_ready Firestore "127.0.0.1:$fs_port" "$EMULATOR_LOG_DIR/firestore.log"
  _wait_ready Pub/Sub "127.0.0.1:$ps_port" "$EMULATOR_LOG_DIR/pubsub.log"
  export FIRESTORE_EMULATOR_HOST="127.0.0.1:$fs_port"
  export PUBSUB_EMULATOR_HOST="127.0.0.1:$ps_port"
  export DARKROOM_TEST_FIRESTORE=google
}
