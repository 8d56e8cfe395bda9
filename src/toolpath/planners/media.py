"""What kind of resource an argument names, as TaskBench types arguments by content."""

from __future__ import annotations

IMAGE_EXTENSIONS = ("jpg", "png", "jpeg", "gif", "bmp", "tiff", "svg", "ico")
AUDIO_EXTENSIONS = ("mp3", "wav", "wma", "ogg", "aac", "flac", "aiff", "au")
VIDEO_EXTENSIONS = ("mp4", "avi", "mov", "flv", "wmv", "mkv", "webm", "m4v", "mpg", "mpeg")


def content_type(content: str) -> str:
    """`image`, `audio` or `video` when a file extension of that kind appears, else `text`."""
    content = content.strip("'")
    for kind, extensions in (
        ("image", IMAGE_EXTENSIONS),
        ("audio", AUDIO_EXTENSIONS),
        ("video", VIDEO_EXTENSIONS),
    ):
        if any("." + ext in content for ext in extensions):
            return kind
    return "text"
