"""Evidence screenshots: verified by decoding, size-capped, stripped of metadata.

`clean_evidence_image(upload)` returns a new file to store in place of the
upload. The upload is decoded in full with Pillow (a file that only claims to be
an image is refused), must be JPEG, PNG or WebP, at most EVIDENCE_MAX_BYTES
(413 otherwise) and at most EVIDENCE_MAX_PIXELS pixels (checked from the header,
before decoding, so a small file that inflates to gigabytes is refused without
being inflated). The budget, 12 MP by default (a phone camera's full frame; a
screenshot is 2-4 MP), bounds what one upload costs: a worst-case PNG at the
budget decodes in about 0.25 s of CPU and 45 MB (`make bench`:
evidence_decode_worst_case); at the former 40 MP it was 0.9 s and 150 MB.
It is then re-encoded from pixels alone: EXIF (with any GPS
position), XMP and text chunks are not carried over. The EXIF orientation is
applied to the pixels first, so the stored picture is the right way up.
"""
import io
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


class EvidenceTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The image is larger than 5 MB.")
    default_code = "request_too_large"
    field = "evidence_image"  # the error body names the field (api.exceptions)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]}, code="invalid_image")


def clean_evidence_image(upload, *, field: str = "evidence_image") -> ContentFile:
    """A re-encoded copy of `upload` ready for storage; ValidationError (400) or EvidenceTooLarge (413)."""
    max_bytes = settings.EVIDENCE_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise EvidenceTooLarge(_("The image is %(size).1f MB; at most %(max)d MB is accepted.")
                               % {"size": upload.size / 1048576, "max": max_bytes // 1048576})
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise EvidenceTooLarge()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > settings.EVIDENCE_MAX_PIXELS:
                raise _invalid(field, _("The image has too many pixels (%(w)d × %(h)d); send a smaller one.")
                               % {"w": image.width, "h": image.height})
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _invalid(field, _("The image has too many pixels; send a smaller one."))
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError):
        raise _invalid(field, _("The file is not a JPEG, PNG or WebP image, or it is damaged."))

    fmt = image.format
    extension, _content_type = FORMATS[fmt]
    icc = image.info.get("icc_profile")
    # Orientation into pixels (drops the Orientation tag). It returns a new image either
    # way, so the decoded original is let go here rather than copied once more: at the
    # pixel budget that is the difference between one and two full frames in memory.
    clean = ImageOps.exif_transpose(image)
    image.close()
    clean.info = {}  # EXIF (GPS included), XMP, comments, text chunks: none is written back
    if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
        clean = clean.convert("RGB")
    options = {"exif": b""}
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        options.update(quality=88, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=85)
    out = io.BytesIO()
    clean.save(out, format=fmt, **options)
    return ContentFile(out.getvalue(), name=f"evidence.{extension}")
