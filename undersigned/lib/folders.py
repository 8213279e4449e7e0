"""A storage that is a folder named by a setting (DELIVERY_DIR, OUTBOX_DIR).

Django's FileSystemStorage fixes its folder when it is first used; this one reads the
setting at each use, so the folder follows the setting however it is changed (a test's
temporary folder, a command run with another DELIVERY_DIR).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage


class SettingFolderStorage(FileSystemStorage):
    def __init__(self, setting: str, **options) -> None:
        self.setting = setting
        super().__init__(**options)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        folder = getattr(settings, self.setting, None)
        if not folder:
            raise ImproperlyConfigured(f"{self.setting} names no folder for this storage.")
        return str(folder)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)
