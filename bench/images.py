"""What one evidence upload can cost at worst: the decoded-pixel budget in figures.

The worst case is a PNG of one flat colour: a few tens of kilobytes that decode to
the full pixel budget (EVIDENCE_MAX_PIXELS). Each measurement runs in a fresh
process, so the growth of its peak resident memory is the upload's alone.

    python -m bench.images     measure and write the `evidence_decode_worst_case` key
                               of bench/results.json (`make bench` does it too)
"""
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
FORMER_BOMB = (7300, 5440)  # 39.7 MP: the 128 KB PNG the issue measured at 1.1 s and 150 MB


def _child(width: int, height: int) -> None:
    import io
    import resource
    import time

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from rest_framework.exceptions import ValidationError

    from api.images import clean_evidence_image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    upload = SimpleUploadedFile("evidence.png", data, content_type="image/png")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, wall = time.process_time(), time.perf_counter()
    try:
        clean_evidence_image(upload)
        accepted = True
    except ValidationError:
        accepted = False
    print(json.dumps({
        "pixels": width * height, "png_bytes": len(data), "accepted": accepted,
        "cpu_s": round(time.process_time() - started, 3), "wall_ms": round((time.perf_counter() - wall) * 1000, 1),
        "rss_growth_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, 1),
    }))


def _run(width: int, height: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.images", "--child", str(width), str(height)],
                         capture_output=True, text=True, check=True, cwd=HERE.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure() -> dict:
    from django.conf import settings

    budget = settings.EVIDENCE_MAX_PIXELS
    width = int((budget * 4 / 3) ** 0.5)  # 4:3, as a camera frame
    height = budget // width
    at_budget = _run(width, height)
    bomb = _run(*FORMER_BOMB)
    return {
        "budget_pixels": budget,
        "png_bytes": at_budget["png_bytes"],
        "cpu_s": at_budget["cpu_s"],
        "rss_growth_mb": at_budget["rss_growth_mb"],
        "former_40mp_png_accepted": bomb["accepted"],
        "former_40mp_png_refused_ms": bomb["wall_ms"],
    }


def main() -> int:
    import django

    django.setup()
    figure = measure()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["evidence_decode_worst_case"] = figure
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(figure, indent=2))
    return 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
    if sys.argv[1:2] == ["--child"]:
        _child(int(sys.argv[2]), int(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
