"""Image rules: drop too-small images, shrink big ones (Pillow), guard decompression bombs."""

import io
import logging
import warnings

from PIL import Image, UnidentifiedImageError

_logger = logging.getLogger(__name__)

MAX_PIXELS = 80_000_000  # refuse to decode bigger images (a decompression bomb guard)
_SAVE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}}


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from the header only, or None when not an image Pillow knows."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                return image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    except Exception:  # Pillow plugins raise assorted errors on corrupt data
        _logger.debug("unreadable image header", exc_info=True)
        return None


def resize_to_fit(data: bytes, max_size: tuple[int, int]) -> tuple[bytes, tuple[int, int]] | None:
    """Shrink to fit ``max_size`` keeping aspect ratio, format and transparency.

    Returns (new bytes, (w, h)) or None when the image is left as is (small enough,
    animated, too large to decode safely, corrupt or unsupported)."""
    max_w, max_h = max_size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width <= max_w and height <= max_h:
                    return None
                if width * height > MAX_PIXELS or getattr(image, "is_animated", False):
                    return None
                fmt = image.format or "PNG"
                ratio = min(max_w / width, max_h / height)
                target = (max(1, int(width * ratio)), max(1, int(height * ratio)))
                image.load()
                resized = image.resize(target, Image.Resampling.LANCZOS)
                if fmt == "JPEG" and resized.mode not in ("RGB", "L", "CMYK"):
                    resized = resized.convert("RGB")
                out = io.BytesIO()
                options = dict(_SAVE_OPTIONS.get(fmt, {}))
                if "transparency" in image.info and fmt in ("PNG", "GIF"):
                    options["transparency"] = image.info["transparency"]
                if fmt == "GIF" and resized.mode not in ("P", "L"):
                    resized = resized.convert("P", palette=Image.Palette.ADAPTIVE)
                resized.save(out, format=fmt, **options)
                return out.getvalue(), target
    except Exception:
        _logger.info("image left as is: cannot be resized", exc_info=True)
        return None
