"""Photo processing: every uploaded image is decoded, resized and written anew as a JPEG.

Re-encoding from pixels keeps nothing of the upload but the picture: no EXIF (GPS position,
camera serial, time), no XMP, no ICC tricks, no trailing bytes. The orientation in the EXIF
is applied to the pixels first, so the photo still shows the right way up.
"""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from childcare import rules

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Decompression bombs: a small file claiming an enormous canvas is refused before decoding.
MAX_PIXELS = 50_000_000


def clean_photo(upload: object) -> ContentFile:
    """The upload as a stripped, resized JPEG; ValidationError if it is not a usable image."""
    size = getattr(upload, "size", 0) or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("The photo is too large (15 MB at most)."))
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("The photo is too large (15 MB at most)."))
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError) as exc:
        raise ValidationError(_("This file is not a photo we can read.")) from exc
    image = image.convert("RGB")
    image.thumbnail((rules.PHOTO_MAX_SIDE, rules.PHOTO_MAX_SIDE))
    out = io.BytesIO()
    # A fresh image carries no info dict: save() writes no EXIF, XMP or comment.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
