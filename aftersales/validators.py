"""Checks on uploaded case photos: real images of an allowed type, not too large, not too many."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


def max_photo_bytes() -> int:
    return int(getattr(settings, "OMS_AFTERSALES_PHOTO_MAX_BYTES", 5 * 1024 * 1024))


def max_photos() -> int:
    return int(getattr(settings, "OMS_AFTERSALES_MAX_PHOTOS", 6))


def validate_photo(upload) -> None:
    """Refuse anything that is not a JPEG, PNG, WebP or GIF image within the size limit."""
    limit = max_photo_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; a photo may be at most %(limit)s.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("%(name)s is not a photo we can read: upload a JPEG, PNG, WebP or GIF image.")
            % {"name": upload.name}
        ) from exc
    finally:
        upload.seek(0)
    if kind not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(name)s is a %(kind)s file: upload a JPEG, PNG, WebP or GIF image.")
            % {"name": upload.name, "kind": kind}
        )


def validate_photos(uploads) -> None:
    errors = []
    if len(uploads) > max_photos():
        errors.append(ValidationError(_("At most %(n)s photos per case.") % {"n": max_photos()}))
    for upload in uploads:
        try:
            validate_photo(upload)
        except ValidationError as exc:
            errors.append(exc)
    if errors:
        raise ValidationError(errors)
