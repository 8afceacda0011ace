#!/usr/bin/env bash
# Install what the emulator tests and the local stack need on a Debian machine:
#   - a Java runtime (Debian: openjdk-17-jre-headless) for the Firestore and Pub/Sub emulators;
#   - google-cloud-cli with its firestore/pubsub emulator components (Google's apt repository);
#   - gcp-storage-emulator (PyPI, part of `pip install -e '.[dev]'`).
# Idempotent: does nothing when everything is present. Exits non-zero with a clear message when a
# piece cannot be installed (e.g. Google's apt repository is unreachable from this network).
set -euo pipefail

need_java=0; need_gcloud=0; need_fs=0; need_ps=0
command -v java >/dev/null 2>&1 || need_java=1
command -v gcloud >/dev/null 2>&1 || need_gcloud=1
dpkg -s google-cloud-cli-firestore-emulator >/dev/null 2>&1 || need_fs=1
dpkg -s google-cloud-cli-pubsub-emulator >/dev/null 2>&1 || need_ps=1

if [ "$need_java$need_gcloud$need_fs$need_ps" = "0000" ]; then
    echo "emulators: java, gcloud and the firestore/pubsub emulators are installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq

if [ "$need_java" = 1 ]; then
    echo "emulators: installing a Java runtime from Debian"
    $SUDO apt-get install -y -qq openjdk-17-jre-headless
fi

if [ "$need_gcloud$need_fs$need_ps" != "000" ]; then
    if ! apt-cache policy google-cloud-cli 2>/dev/null | grep -q "Candidate: [0-9]"; then
        echo "emulators: adding Google's apt repository for google-cloud-cli"
        $SUDO apt-get install -y -qq apt-transport-https ca-certificates gnupg curl
        curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg \
            | $SUDO gpg --dearmor --yes -o /usr/share/keyrings/cloud.google.gpg \
            || { echo "emulators: Google's apt repository is unreachable; install google-cloud-cli," \
                      "google-cloud-cli-firestore-emulator and google-cloud-cli-pubsub-emulator by hand" >&2; exit 1; }
        echo "deb [signed-by=/usr/share/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk main" \
            | $SUDO tee /etc/apt/sources.list.d/google-cloud-sdk.list >/dev/null
        $SUDO apt-get update -qq
    fi
    $SUDO apt-get install -y -qq google-cloud-cli google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator
fi

command -v gcloud >/dev/null && command -v java >/dev/null
echo "emulators: installed"
