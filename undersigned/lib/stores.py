"""The file storages settings.py configures (STORAGES), apart from static files.

Every file the site writes goes through one of three: "default" (pictures), "deliveries"
(delivery packs, private) and "outbox" (development e-mails).
"""

from __future__ import annotations


def file_stores(backend: str = "") -> dict[str, dict]:
    """STORAGES' "default", "deliveries" and "outbox": folders, or with `backend` (say
    storages.backends.s3.S3Storage) three prefixes of one bucket. A function so that
    tests/test_s3_storage.py runs the same stores against a mocked bucket."""
    if backend:
        return {
            alias: {
                "BACKEND": backend,
                "OPTIONS": {
                    "location": location,
                    # Signers' data: no public ACL, and the app streams every file itself
                    # (it never hands out the bucket's URLs).
                    "default_acl": "private",
                    # A download is read into memory up to 1 MiB, then into a temporary
                    # file (the system's, not VAR_DIR): a large pack must not fill memory.
                    "max_memory_size": 1 << 20,
                },
            }
            for alias, location in (
                ("default", "media"), ("deliveries", "deliveries"), ("outbox", "outbox"),
            )
        }  # fmt: skip
    # MEDIA_ROOT for pictures; the other two read their folder's setting at each use
    # (lib/folders.py), so that a test or a command may point them elsewhere.
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "deliveries": {
            "BACKEND": "undersigned.lib.folders.SettingFolderStorage",
            # Signers' names and addresses: for the site's own user only.
            "OPTIONS": {
                "setting": "DELIVERY_DIR",
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        },
        "outbox": {
            "BACKEND": "undersigned.lib.folders.SettingFolderStorage",
            "OPTIONS": {"setting": "OUTBOX_DIR"},
        },
    }
