"""Capture: camera, microphone, one clock, the recorder. All hardware access lives here only.

`cv2` (for devices) and `sounddevice` are imported by this package and nowhere else in mirror.
"""
