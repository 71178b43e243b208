#!/usr/bin/env bash
# Sets up everything the project needs on a fresh machine: a virtual environment in .venv with the
# package and the extras named as arguments, and Debian's stockfish where apt can be used.
#   scripts/setup.sh            core install (the demo)
#   scripts/setup.sh dev hf     what the test suite needs
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
  case ",$extras," in
    *,hf,*|*,train,*|*,all,*)
      # The CPU build on disk; a bare `torch` requirement would pull several GB of CUDA packages.
      echo "==> installing torch==2.13.0"
      "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.13.0 ;;
  esac
  echo "==> installing llm-arena-env${extras:+[$extras]}"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
  touch "$stamp"
fi

if ! command -v stockfish >/dev/null 2>&1 && [ ! -x /usr/games/stockfish ]; then
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    echo "==> installing Debian's stockfish"
    sudo_cmd=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo_cmd apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq stockfish >/dev/null || \
      echo "warning: could not install stockfish; Stockfish games and tests will be skipped" >&2
  else
    echo "note: stockfish not found and apt-get is not usable here; install it to play against Stockfish" >&2
  fi
fi

# Debian's chromium, for the test that opens a transcript in a headless browser (skipped without it).
case ",$extras," in
  *,dev,*|*,all,*)
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
      if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
        echo "==> installing Debian's chromium (for the transcript browser test)"
        sudo_cmd=$([ "$(id -u)" = 0 ] || echo sudo)
        $sudo_cmd apt-get update -qq >/dev/null && \
          DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null || \
          echo "warning: could not install chromium; the transcript browser test will be skipped" >&2
      else
        echo "note: chromium not found and apt-get is not usable here; the transcript browser test will be skipped" >&2
      fi
    fi ;;
esac
