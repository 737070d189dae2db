"""Evidence goes to local media by default and to an S3-compatible bucket when configured."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import django, json; django.setup();"
    "from django.core.files.storage import storages; s = storages['default'];"
    "print(json.dumps([type(s).__module__ + '.' + type(s).__name__,"
    " getattr(s, 'bucket_name', None), getattr(s, 'default_acl', None), getattr(s, 'location', None)]))"
)


def _storage(extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("S3_")}
    env.update({"DJANGO_SETTINGS_MODULE": "api.settings", "DEBUG": "0",
                "SECRET_KEY": "storage-probe-secret-key-0123456789abcdefghij", **extra_env})
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_local_files_by_default():
    backend, *_ = _storage({})
    assert backend == "django.core.files.storage.filesystem.FileSystemStorage"


def test_s3_compatible_bucket_when_configured_and_private():
    backend, bucket, acl, location = _storage({
        "S3_BUCKET": "evidence", "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "S3_ACCESS_KEY_ID": "k", "S3_SECRET_ACCESS_KEY": "s",
    })
    assert backend == "storages.backends.s3.S3Storage"
    assert (bucket, acl, location) == ("evidence", "private", "media")
