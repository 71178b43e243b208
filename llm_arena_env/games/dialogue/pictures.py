"""Pictures named by clembench's instance files: where they are, and how a turn's pictures are shown.

clembench's multimodal instances name their pictures in three ways: relative to where clembench runs
(``../clembench/multimodal_referencegame/resources/grid_images/0.png``, also from another game's folder, as
matchit's pentomino sets do), relative to another root (``games/multimodal_referencegame/...``), or as web
addresses (matchit's Visual Genome photographs). :func:`locate` finds a local one in the user's clembench
checkout (the longest tail of the path that exists there), else under the instance set's own folder;
addresses stay addresses and are read when first shown (:func:`open_picture`), from ``image_root`` where a
file of that name was put, else downloaded.
"""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

import numpy as np
from PIL import Image

from llm_arena_env.games.dialogue.clembench_dir import checkout_instances
from llm_arena_env.games.dialogue.instances import RESOURCES

DOWNLOAD_TIMEOUT_S = 30
MAX_DOWNLOAD_BYTES = 50_000_000


def is_address(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def locate(path: str, *, clembench: Path | None, image_root: Path) -> Path | str:
    """The file an instance's picture ``path`` names (an address is returned as it is);
    ``FileNotFoundError`` names the places looked at."""
    if is_address(path):
        return path
    parts = [p for p in PurePosixPath(path).parts if p not in ("..", ".")]
    looked = []
    for root in (r for r in (clembench, image_root) if r is not None):
        for start in range(len(parts)):
            found = root.joinpath(*parts[start:])
            if found.is_file():
                return found
        looked.append(str(root))
    raise FileNotFoundError(f"no picture {path!r} under {' or '.join(looked)}")


def open_picture(where: Path | str, image_root: Path | None = None) -> Image.Image:
    """The RGB picture at ``where``: a file, or an address (read from ``image_root/<its file name>`` where
    that file exists, else downloaded). ``OSError`` says what could not be read."""
    if isinstance(where, str) and is_address(where):
        local = None if image_root is None else image_root / PurePosixPath(where.split("?")[0]).name
        if local is not None and local.is_file():
            where = local
        else:
            try:
                with urllib.request.urlopen(where, timeout=DOWNLOAD_TIMEOUT_S) as response:  # noqa: S310 (http/https only)
                    data = response.read(MAX_DOWNLOAD_BYTES + 1)
            except OSError as error:
                raise OSError(f"could not download the picture {where}: {error}; put the file in image_root "
                              "under its own name to play without downloading") from None
            if len(data) > MAX_DOWNLOAD_BYTES:
                raise OSError(f"the picture {where} is over {MAX_DOWNLOAD_BYTES} bytes")
            where = io.BytesIO(data)
    with Image.open(where) as picture:
        return picture.convert("RGB")


def side_by_side(pictures: Sequence[Image.Image], size: int) -> np.ndarray:
    """A black ``size`` x ``size`` square with ``pictures`` in a row, left to right, each scaled into its
    share of the width with its proportions kept (one picture fills the square)."""
    square = Image.new("RGB", (size, size))
    panel = size // max(1, len(pictures))
    for index, picture in enumerate(pictures):
        scale = min(panel / picture.width, size / picture.height)
        inner = picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))))
        square.paste(inner, (index * panel + (panel - inner.width) // 2, (size - inner.height) // 2))
    return np.asarray(square, dtype=np.uint8)


def checkout_paths(game: str, clembench: str | Path | None, instances: Any,
                   image_root: str | Path | None) -> tuple[Path | None, Any, Path]:
    """``(clembench, instances, image_root)`` of a picture game: ``clembench=`` names a checkout (whose
    ``<game>/in/instances.json`` is the default instances); a path ``<clembench>/<game>/in/<file>.json``
    implies the checkout; pictures resolve against the instance file's game folder, else the shipped ones."""
    clembench, instances = checkout_instances(game, clembench, instances)
    if image_root is None:
        image_root = Path(instances).resolve().parent.parent if isinstance(instances, (str, Path)) else RESOURCES / game
    return clembench, instances, Path(image_root)
