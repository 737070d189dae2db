"""Evidence images: types verified by decoding, size and pixel caps, EXIF (GPS) stripped."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from rest_framework.exceptions import ValidationError

from api.images import EvidenceTooLarge, clean_evidence_image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (12.0, 40.0, 30.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (107.0, 50.0, 10.0),
}


def encode(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def upload(data, name="shot.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def screenshot(size=(120, 80), mode="RGB"):
    image = Image.new(mode, size, "white")
    image.paste((200, 30, 30) if mode == "RGB" else 0, (0, 0, size[0] // 2, size[1] // 2))
    return image


def gps_exif(orientation=None):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.GPSInfo] = GPS
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    return exif


def test_a_jpeg_with_gps_exif_comes_back_without_any_exif():
    data = encode(screenshot(), "JPEG", exif=gps_exif())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input has a position
    cleaned = clean_evidence_image(upload(data))
    out = cleaned.read()
    image = Image.open(io.BytesIO(out))
    assert image.format == "JPEG" and image.size == (120, 80)
    assert dict(image.getexif()) == {}
    assert b"Exif" not in out and b"Phone" not in out
    assert cleaned.name.endswith(".jpg")


def test_the_exif_orientation_is_applied_to_the_pixels():
    data = encode(screenshot((120, 80)), "JPEG", exif=gps_exif(orientation=6))  # rotated 90°
    image = Image.open(clean_evidence_image(upload(data)))
    assert image.size == (80, 120)
    assert dict(image.getexif()) == {}


def test_png_and_webp_are_accepted_and_stripped():
    png = encode(screenshot(), "PNG", exif=gps_exif())
    webp = encode(screenshot(), "WEBP", exif=gps_exif())
    for data, fmt, ext in [(png, "PNG", ".png"), (webp, "WEBP", ".webp")]:
        assert Image.open(io.BytesIO(data)).getexif()  # metadata in
        cleaned = clean_evidence_image(upload(data, name="x.bin", content_type="application/octet-stream"))
        image = Image.open(io.BytesIO(cleaned.read()))
        assert image.format == fmt and cleaned.name.endswith(ext)
        assert dict(image.getexif()) == {}


def test_a_palette_png_keeps_its_colours():
    image = screenshot().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    cleaned = Image.open(clean_evidence_image(upload(encode(image, "PNG"), "s.png"))).convert("RGB")
    assert cleaned.getpixel((1, 1)) == image.convert("RGB").getpixel((1, 1))


@pytest.mark.parametrize("data", [
    b"this is a text file pretending to be a jpeg",
    b"\xff\xd8\xff\xe0" + b"JFIF" + b"\x00" * 100,                   # a JPEG header and nothing after
    encode(screenshot(), "GIF"),                                         # a real image of another type
    encode(screenshot(), "BMP"),
    b"",
])
def test_anything_but_a_decodable_jpeg_png_or_webp_is_400(data):
    with pytest.raises(ValidationError) as caught:
        clean_evidence_image(upload(data))
    assert "evidence_image" in caught.value.detail


def test_a_truncated_image_is_400():
    data = encode(Image.effect_noise((300, 300), 64).convert("RGB"), "JPEG")
    with pytest.raises(ValidationError):
        clean_evidence_image(upload(data[: len(data) // 2]))


def test_a_truncated_image_is_400_after_a_pdf_report_was_made():
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported.
    from reports.documents import load_weasyprint

    load_weasyprint()
    data = encode(Image.effect_noise((300, 300), 64).convert("RGB"), "JPEG")
    with pytest.raises(ValidationError):
        clean_evidence_image(upload(data[: len(data) // 2]))


def test_over_5_mb_is_413_before_decoding():
    big = upload(b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(EvidenceTooLarge) as caught:
        clean_evidence_image(big)
    assert caught.value.status_code == 413


def test_a_file_exactly_at_the_size_limit_is_accepted(settings):
    settings.EVIDENCE_MAX_BYTES = len(encode(screenshot(), "PNG"))
    clean_evidence_image(upload(encode(screenshot(), "PNG"), "s.png"))


@pytest.mark.parametrize("size", [(7000, 7000), (10000, 10000)])
def test_a_pixel_bomb_is_refused_without_being_decoded(size):
    # a few kilobytes that would decode to tens or hundreds of megapixels
    data = encode(Image.new("1", size), "PNG", optimize=True)
    assert len(data) < 200_000
    with pytest.raises(ValidationError) as caught:
        clean_evidence_image(upload(data, "bomb.png"))
    assert "quá nhiều điểm ảnh" in str(caught.value.detail["evidence_image"][0])


def test_messages_in_both_languages():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as en:
        clean_evidence_image(upload(b"text"))
    with translation.override("vi"), pytest.raises(ValidationError) as vi:
        clean_evidence_image(upload(b"text"))
    assert str(en.value.detail["evidence_image"][0]) == "The file is not a JPEG, PNG or WebP image, or it is damaged."
    assert str(vi.value.detail["evidence_image"][0]) == "Tệp không phải ảnh JPEG, PNG hoặc WebP, hoặc đã bị hỏng."
